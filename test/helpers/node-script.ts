import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A file:// URL of src/<file>, for a script's imports. */
export const srcUrl = (file: string): string => pathToFileURL(join(root, 'src', file)).href;

export interface ScriptOptions {
  /** Node's own flags, before the script */
  flags?: string[];
  /** variables over the parent's environment */
  env?: Record<string, string>;
  timeout?: number;
}

/**
 * Runs an ES module script in a fresh Node process (the TypeScript sources through the bench's loader hook), from
 * the repository's root. `out` is stdout and stderr together, for failure messages.
 */
export function runNodeScript(script: string, { flags = [], env = {}, timeout = 30_000 }: ScriptOptions = {}): SpawnSyncReturns<string> & { out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-script-'));
  try {
    writeFileSync(join(dir, 'script.mjs'), script);
    const r = spawnSync(process.execPath, [...flags, '--import', join(root, 'bench/lib/register-ts.mjs'), join(dir, 'script.mjs')], {
      cwd: root,
      encoding: 'utf8',
      timeout,
      env: { ...process.env, ...env },
    });
    return { ...r, out: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
