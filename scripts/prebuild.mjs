#!/usr/bin/env node
/**
 * The addon the package ships: prebuilds/<platform>-<arch>/neurite.node, so that installing neurite on this
 * platform needs no compiler. `npm pack` and `npm publish` run it (prepack), and remove prebuilds/ afterwards
 * (postpack). It builds (or brings up to date) the cmake-js build in build/, checks that build is one every CPU
 * of the architecture can run (Release, no -march=native, no sanitizer: the SIMD kernels are chosen at run
 * time), copies it without symbols and loads the copy once in a fresh process.
 *
 *   node scripts/prebuild.mjs           build prebuilds/<platform>-<arch>/neurite.node
 *   node scripts/prebuild.mjs --clean   remove prebuilds/ (postpack): in a checkout, the loader would otherwise
 *                                       prefer this copy to a newer build/Release/neurite.node
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const prebuilds = join(root, 'prebuilds');

if (process.argv.includes('--clean')) {
  rmSync(prebuilds, { recursive: true, force: true });
  process.exit(0);
}

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

try {
  run(process.execPath, [join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js'), 'compile', '--log-level', 'warn']);

  // cmake-js only configures a fresh build/, so a checkout's build/ may carry its owner's settings.
  const cache = readFileSync(join(root, 'build', 'CMakeCache.txt'), 'utf8');
  const setting = (name) => cache.match(new RegExp(`^${name}:[A-Z]+=(.*)$`, 'm'))?.[1] ?? '';
  const problems = [
    setting('CMAKE_BUILD_TYPE') !== 'Release' && `CMAKE_BUILD_TYPE=${setting('CMAKE_BUILD_TYPE')}`,
    /-m(arch|tune|cpu)=/.test(setting('CMAKE_CXX_FLAGS') + setting('CMAKE_C_FLAGS')) && 'CPU-specific compiler flags',
    (setting('NEURITE_SANITIZE') === 'ON' || setting('NEURITE_TSAN') === 'ON') && 'a sanitizer',
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(`build/ is configured with ${problems.join(', ')}; the shipped addon must be a plain Release build (rm -rf build, then again)`);
  }

  const built = join(root, 'build', 'Release', 'neurite.node');
  const target = join(prebuilds, `${process.platform}-${process.arch}`, 'neurite.node');
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(built, target);
  // Symbols are for debugging a local build; the shipped copy goes without (about 15 % smaller).
  if (process.platform === 'linux' && spawnSync('strip', ['--strip-unneeded', target]).status !== 0) copyFileSync(built, target);

  const check = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(target)}).info().gemmKernel)`], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`${target} does not load: ${check.stderr.trim()}`);
  const size = (statSync(target).size / 1024).toFixed(0);
  console.log(`prebuild: ${relative(root, target)} (${size} KiB, N-API 8, kernel here: ${check.stdout.trim()})`);
} catch (e) {
  console.error(`prebuild: ${e.message}`);
  process.exit(1);
}
