/**
 * Where the addon comes from (src/backends/native-load.ts): the package's prebuilt binary first, then a source
 * build, NEURITE_NATIVE_ADDON over both; a binary that does not load is passed over; when nothing loads, one
 * line names what was tried and the command that fixes it.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadNativeAddon } from '../src/backends/native-load.js';
import { abiVersion } from '../src/backends/abi.js';

const built = fileURLToPath(new URL('../build/Release/neurite.node', import.meta.url));
const platform = `${process.platform}-${process.arch}`;
const scratch = mkdtempSync(join(tmpdir(), 'neurite-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A package folder (installed under node_modules, or a checkout) holding the given addon files. */
function packageWith(files: { prebuilt?: 'good' | 'garbage'; release?: 'good' }, installed = true): string {
  const root = installed ? mkdtempSync(join(scratch, 'app-')) + '/node_modules/neurite' : mkdtempSync(join(scratch, 'checkout-'));
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"neurite"}');
  if (files.prebuilt) {
    mkdirSync(join(root, 'prebuilds', platform), { recursive: true });
    const target = join(root, 'prebuilds', platform, 'neurite.node');
    if (files.prebuilt === 'good') copyFileSync(built, target);
    else writeFileSync(target, 'not an ELF file');
  }
  if (files.release) {
    mkdirSync(join(root, 'build', 'Release'), { recursive: true });
    copyFileSync(built, join(root, 'build', 'Release', 'neurite.node'));
  }
  return root;
}

type Info = { info(): { abiVersion: number; gemmKernel: string } };

describe('native addon discovery', () => {
  it('loads prebuilds/<platform>-<arch>/neurite.node before build/Release', () => {
    const root = packageWith({ prebuilt: 'good', release: 'good' });
    const r = loadNativeAddon<Info>(abiVersion, root);
    expect('error' in r ? r.error : r.path).toBe(join(root, 'prebuilds', platform, 'neurite.node'));
    if ('addon' in r) expect(r.addon.info().gemmKernel).toMatch(/\w/);
  });

  it('passes over a prebuilt binary that does not load and takes the source build', () => {
    const root = packageWith({ prebuilt: 'garbage', release: 'good' });
    const r = loadNativeAddon<Info>(abiVersion, root);
    expect('error' in r ? r.error : r.path).toBe(join(root, 'build', 'Release', 'neurite.node'));
  });

  it('refuses an addon of another ABI version', () => {
    const r = loadNativeAddon<Info>(999, packageWith({ prebuilt: 'good' }));
    expect('error' in r && r.error).toMatch(new RegExp(`^prebuilds/${platform}/neurite.node speaks ABI ${abiVersion}, this code expects 999; run`));
  });

  it('says in one line what failed and that `npm rebuild neurite` fixes it', () => {
    const none = loadNativeAddon<Info>(abiVersion, packageWith({}));
    expect('error' in none && none.error).toBe(
      `no prebuilt addon for ${platform} and none built from source; ` +
        'run `npm rebuild neurite --foreground-scripts` to build it, which needs cmake and a C++17 compiler',
    );
    const broken = loadNativeAddon<Info>(abiVersion, packageWith({ prebuilt: 'garbage' }));
    expect('error' in broken && broken.error).toMatch(new RegExp(`^prebuilds/${platform}/neurite.node did not load: .+; run \`npm rebuild neurite`));
    expect('error' in broken && broken.error).not.toMatch(/\n/);
  });

  it('tells a checkout to run `npm run build:native`', () => {
    const r = loadNativeAddon<Info>(abiVersion, packageWith({}, false));
    expect('error' in r && r.error).toMatch(/none built from source; run `npm run build:native`$/);
  });

  it('NEURITE_NATIVE_ADDON names the one file to load', () => {
    const root = packageWith({ prebuilt: 'good' });
    vi.stubEnv('NEURITE_NATIVE_ADDON', join(root, 'nowhere.node'));
    try {
      expect(loadNativeAddon<Info>(abiVersion, root)).toEqual({ error: `NEURITE_NATIVE_ADDON=${join(root, 'nowhere.node')} is missing` });
      vi.stubEnv('NEURITE_NATIVE_ADDON', built);
      const r = loadNativeAddon<Info>(abiVersion, root);
      expect('error' in r ? r.error : r.path).toBe(built);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
