import { parseArgs, type ParseArgsConfig } from 'node:util';
import { unknownName } from '../errors.js';

type Flags = NonNullable<ParseArgsConfig['options']>;

/**
 * Node's strict parseArgs, with an unknown flag reported the way the API reports an unknown option key: the
 * flag, the nearest accepted one and the full list ("train: unknown flag '--epoch' (did you mean '--epochs'?)").
 * Node's own message names the flag but not what would have been right.
 */
export function parseFlags<const F extends Flags>(command: string, argv: string[], flags: F) {
  try {
    return parseArgs({ args: argv, options: flags, strict: true }).values;
  } catch (err) {
    const flag = /'(-[^']*)'/.exec((err as Error).message)?.[1];
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      unknownName(command, 'flag', flag, flagNames(flags));
    }
    throw err;
  }
}

export function flagNames(flags: Flags): string[] {
  return Object.keys(flags).map((name) => `--${name}`);
}
