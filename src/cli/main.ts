#!/usr/bin/env node
/** The `neurite` executable (dist/cli.js): runs the command line of commands.ts and sets the exit code. */
import { main } from './commands.js';

// `neurite train | head` closes the pipe early: the reader has what it wanted, which is no error
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`neurite: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
