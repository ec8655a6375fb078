/**
 * Finds and loads the native addon. Candidates, in order:
 *
 *   NEURITE_NATIVE_ADDON              when set, that file and nothing else (a sanitizer build, a custom build)
 *   prebuilds/<platform>-<arch>/neurite.node   the binary the package ships (scripts/prebuild.mjs, N-API 8)
 *   build/Release/neurite.node        built from source: at install where no prebuilt binary loads, or in a checkout
 *
 * A candidate that exists but does not load (an older C library than the prebuilt binary needs, another addon
 * ABI) is passed over for the next. When none loads, the error is one line naming what was tried and the command
 * that builds the addon.
 *
 * Paths are relative to the package root: the folder above this module whose package.json is named "neurite"
 * (src/backends/ in a checkout, dist/ once bundled).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What every build of the addon has: its self-description, with the ABI version it speaks. */
interface AddonWithInfo {
  info(): { abiVersion: number };
}

export type AddonLoad<T> = { addon: T; path: string } | { error: string };

/** The directory holding neurite's package.json, searched upwards from `start`. */
function packageRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'neurite') return dir;
      } catch {
        /* an unreadable package.json on the way up: keep looking */
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Why loading `path` failed, or the addon; one line either way. */
function tryLoad<T extends AddonWithInfo>(path: string, abiVersion: number): { addon: T } | { error: string } {
  try {
    const addon = createRequire(import.meta.url)(path) as T;
    const abi = addon.info().abiVersion;
    return abi === abiVersion ? { addon } : { error: `speaks ABI ${abi}, this code expects ${abiVersion}` };
  } catch (e) {
    // dlopen messages ("GLIBC_2.34 not found ...") can span lines; the caller's message must not.
    return { error: `did not load: ${(e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim()}` };
  }
}

/**
 * The addon, or one line saying why there is none and how to get it. `abiVersion` is the version of the
 * TypeScript-to-C++ interface the caller speaks; an addon reporting another is not used. `root` (tests) replaces
 * the package root found from this module's location.
 */
export function loadNativeAddon<T extends AddonWithInfo>(abiVersion: number, root?: string): AddonLoad<T> {
  const override = process.env.NEURITE_NATIVE_ADDON;
  if (override) {
    if (!existsSync(override)) return { error: `NEURITE_NATIVE_ADDON=${override} is missing` };
    const r = tryLoad<T>(override, abiVersion);
    return 'addon' in r ? { addon: r.addon, path: override } : { error: `NEURITE_NATIVE_ADDON=${override} ${r.error}` };
  }

  const here = dirname(fileURLToPath(import.meta.url));
  root ??= packageRoot(here);
  if (!root) return { error: `no package.json named "neurite" above ${here}` };

  const platform = `${process.platform}-${process.arch}`;
  const candidates = [join(root, 'prebuilds', platform, 'neurite.node'), join(root, 'build', 'Release', 'neurite.node')];
  const failures: string[] = [];
  for (const path of candidates.filter((p) => existsSync(p))) {
    const r = tryLoad<T>(path, abiVersion);
    if ('addon' in r) return { addon: r.addon, path };
    failures.push(`${relative(root, path)} ${r.error}`);
  }

  // An installed package is rebuilt by npm (which runs scripts/install.mjs); a checkout builds with cmake-js.
  const installed = root.split(sep).includes('node_modules');
  const fix = installed
    ? 'run `npm rebuild neurite --foreground-scripts` to build it, which needs cmake and a C++17 compiler'
    : 'run `npm run build:native`';
  const tried = failures.length > 0 ? failures.join('; ') : `no prebuilt addon for ${platform} and none built from source`;
  return { error: `${tried}; ${fix}` };
}
