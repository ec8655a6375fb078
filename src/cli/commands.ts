/** The `neurite` command line: `neurite train [options]` (the default), `predict`, `torch-code`, `help`, `--version`. */
import { packageVersion } from '../data/package-files.js';
import { runTrain, trainHelp } from './train.js';
import { runPredict, predictHelp } from './predict.js';
import { runTorchCode, torchCodeHelp } from './torch-code.js';

const usage = `neurite — feed-forward neural networks

Usage:
  neurite train [options]     train a network (no options: Iris, embedded)
  neurite predict [options]   run a saved model on a CSV file
  neurite torch-code MODEL    print the PyTorch nn.Sequential for a saved model, weights loaded
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
    else if (topic === 'torch-code') console.log(torchCodeHelp);
    else console.log(`${usage}\n\n${trainHelp}\n\n${predictHelp}\n\n${torchCodeHelp}`);
    return 0;
  }
  if (command === undefined || command.startsWith('-')) return runTrain(argv);
  if (command === 'train') return runTrain(rest);
  if (command === 'predict') return runPredict(rest);
  if (command === 'torch-code') return runTorchCode(rest);
  console.error(`neurite: unknown command '${command}'\n\n${usage}`);
  return 2;
}
