#!/usr/bin/env node
/** The `neurite` executable (dist/cli.js): runs the command line of commands.ts and sets the exit code. */
import { main } from './commands.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`neurite: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
