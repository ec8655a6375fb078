#!/usr/bin/env node
/** `neurite` command: `neurite train [options]` (the default), `neurite predict` and `neurite torch-code`. */
import { runTrain, trainHelp } from './train.js';
import { runPredict, predictHelp } from './predict.js';
import { runTorchCode, torchCodeHelp } from './torch-code.js';

const usage = `neurite — feed-forward neural networks

Usage:
  neurite train [options]     train a network (no options: Iris, embedded)
  neurite predict [options]   run a saved model on a CSV file
  neurite torch-code MODEL    print the PyTorch nn.Sequential for a saved model, weights loaded
  neurite help [command]

${trainHelp}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('-')) return runTrain(argv);
  if (command === 'train') return runTrain(rest);
  if (command === 'predict') return runPredict(rest);
  if (command === 'torch-code') return runTorchCode(rest);
  if (command === 'help' || command === '--help') {
    console.log(rest[0] === 'predict' ? predictHelp : rest[0] === 'torch-code' ? torchCodeHelp : usage);
    return 0;
  }
  console.error(`neurite: unknown command '${command}'\n\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`neurite: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
