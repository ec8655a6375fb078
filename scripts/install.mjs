#!/usr/bin/env node
/**
 * neurite's install script. Where the package's prebuilt addon (prebuilds/<platform>-<arch>/neurite.node)
 * loads, it exits at once: nothing to build. Elsewhere (another platform, an older C library) it builds the
 * addon from the sources in the package with cmake-js into build/Release/.
 *
 * The build tools are not dependencies of neurite (every install would carry them); they are used from the
 * project when present (a checkout has them as devDependencies) and otherwise fetched from the npm registry
 * into a temporary folder for this one build. cmake and a C++17 compiler must be on PATH.
 *
 * It never fails the install: without the addon, neurite runs on its WASM and TypeScript engines, and the first
 * model says once, in one line, why there is no native engine and which command builds it.
 * NEURITE_SKIP_NATIVE=1 skips the source build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const prebuilt = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'neurite.node');

/** Whether the addon at `path` loads, tried in a child process so a bad binary cannot take this one down. */
function loads(path) {
  if (!existsSync(path)) return false;
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path)}).info()`], { stdio: 'ignore' });
  return r.status === 0;
}

function say(message) {
  console.log(`neurite: ${message}`);
}

function onPath(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** cmake-js and node-addon-api as the project has them, or undefined. */
function projectTools() {
  try {
    const require = createRequire(join(root, 'package.json'));
    require.resolve('node-addon-api');
    return { cmakeJs: join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js'), nodePath: undefined };
  } catch {
    return undefined;
  }
}

/** The versions neurite is developed with (its devDependencies), installed from the registry into `dir`. */
function fetchTools(dir) {
  const dev = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies ?? {};
  const specs = ['cmake-js', 'node-addon-api', 'node-api-headers'].map((name) => `${name}@${dev[name] ?? 'latest'}`);
  // npm_execpath is the npm running this script; outside npm, the npm on PATH.
  const [command, args] = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath]]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', []];
  const r = spawnSync(command, [...args, 'install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit',
    '--no-fund', '--ignore-scripts', '--loglevel=error', ...specs], { stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) return undefined;
  const modules = join(dir, 'node_modules');
  return { cmakeJs: join(modules, 'cmake-js', 'bin', 'cmake-js'), nodePath: modules };
}

function build() {
  if (!existsSync(join(root, 'CMakeLists.txt'))) return say('no sources to build the native addon from');
  if (!onPath('cmake')) {
    return say('no prebuilt addon for this platform and no cmake on PATH; the wasm and ts engines still work. ' +
      'For the native one install cmake and a C++17 compiler, then run `npm rebuild neurite --foreground-scripts`.');
  }
  let scratch;
  try {
    let tools = projectTools();
    if (!tools) {
      say('fetching cmake-js and node-addon-api from the npm registry for the source build');
      scratch = mkdtempSync(join(tmpdir(), 'neurite-build-tools-'));
      tools = fetchTools(scratch);
    }
    if (!tools) return say('could not fetch the build tools; the wasm and ts engines still work');
    // cmake-js finds node-addon-api's headers by resolving it from the project, which NODE_PATH extends.
    const env = tools.nodePath
      ? { ...process.env, NODE_PATH: [tools.nodePath, process.env.NODE_PATH].filter(Boolean).join(delimiter) }
      : process.env;
    const r = spawnSync(process.execPath, [tools.cmakeJs, 'compile', '--log-level', 'warn'], { cwd: root, stdio: 'inherit', env });
    if (r.status !== 0) say('the native addon did not build (output above); the wasm and ts engines still work');
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

if (loads(prebuilt) || process.env.NEURITE_SKIP_NATIVE) process.exit(0);
build();
