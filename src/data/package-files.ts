import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Files that ship inside the neurite package (data/, package.json), found from this module upwards: the same code
 * runs as src/data/*.ts in the repository and bundled as dist/*.js in node_modules/neurite, at different depths.
 */

let root: string | undefined;

/** The directory holding neurite's package.json. */
export function packageRoot(): string {
  if (root) return root;
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'neurite') return (root = dir);
      } catch {
        /* an unreadable package.json on the way up: keep looking */
      }
    }
    if (dirname(dir) === dir) throw new Error(`no package.json named "neurite" above ${here}`);
  }
}

/** Absolute path of a file in the package, e.g. packageFile('data', 'iris.csv'). */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}

/** neurite's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}
