// Builds the N-API addon at install time. A failed build must not fail `npm install`:
// backend 'auto' then falls back to WASM or TypeScript and says so once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('CMakeLists.txt') || process.env.NEURITE_SKIP_NATIVE) process.exit(0);
const r = spawnSync('npx', ['cmake-js', 'compile', '--log-level', 'warn'], { stdio: 'inherit', shell: false });
if (r.status !== 0) {
  console.warn('neurite: the native addon did not build; the wasm and ts backends still work.');
}
