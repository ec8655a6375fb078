/** The `neurite` command line: `neurite train [options]` (the default), `neurite predict`, `help`, `--version`. */
import { packageVersion } from '../data/package-files.js';
import { runTrain, trainHelp } from './train.js';
import { runPredict, predictHelp } from './predict.js';

const usage = `neurite — feed-forward neural networks

Usage:
  neurite train [options]     train a network (no options: Iris, embedded)
  neurite predict [options]   run a saved model on a CSV file
  neurite help [command]      options of every command, or of one
  neurite --version

Examples:
  neurite train --dataset mnist                    handwritten digits, no download
  neurite train --data iris.csv --target species --save iris.safetensors
  neurite predict --model iris.safetensors --data iris.csv`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(packageVersion());
    return 0;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0];
    if (topic === 'train') console.log(trainHelp);
    else if (topic === 'predict') console.log(predictHelp);
    else console.log(`${usage}\n\n${trainHelp}\n\n${predictHelp}`);
    return 0;
  }
  if (command === undefined || command.startsWith('-')) return runTrain(argv);
  if (command === 'train') return runTrain(rest);
  if (command === 'predict') return runPredict(rest);
  console.error(`neurite: unknown command '${command}'\n\n${usage}`);
  return 2;
}
