import { spawnSync } from 'node:child_process';

/**
 * Debian's Python with torch, for the interop tests. CI installs python3-torch, so a missing torch is a
 * failure with the command that fixes it, never a skip.
 */
export const PYTHON = '/usr/bin/python3';

let torchVersion: string | undefined;

export function requireTorch(): string {
  if (torchVersion) return torchVersion;
  const run = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(
      `PyTorch is not available to ${PYTHON} (${(run.error?.message ?? run.stderr.trim().split('\n').at(-1)) || 'no output'}). ` +
        'These tests compare neurite with real PyTorch and do not skip: apt-get install -y python3-torch (CI installs it).',
    );
  }
  torchVersion = run.stdout.trim();
  return torchVersion;
}

/** Runs `code` (or a script with args when code is null) in `cwd`; returns stdout, throws with stderr on failure. */
export function runPython(code: string | null, cwd: string, args: string[] = []): string {
  requireTorch();
  const argv = code === null ? args : ['-c', code, ...args];
  // no __pycache__ next to the generated modules in the test's folder
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };
  const run = spawnSync(PYTHON, argv, { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python exited with ${run.status ?? run.signal}:\n${run.stderr}\n--- code ---\n${code ?? args.join(' ')}`);
  return run.stdout;
}
