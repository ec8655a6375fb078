/**
 * The relaxed-SIMD builds (wasm/*-relaxed.*: the GEMM kernel's multiply-adds as f32x4.relaxed_madd) and when
 * they load: by the engine's support, and by NEURITE_WASM_BUILD and NEURITE_WASM_SIMD. The cross-backend suites run
 * once more on the relaxed build (vitest.config.ts, project wasm-relaxed; test/wasm-build.test.ts checks each
 * project got its build). Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd, so the
 * children below run with or without that flag.
 */
import { describe, expect, it } from 'vitest';
import { runNodeScript, srcUrl as src } from './helpers/node-script.js';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

/** A script in a fresh Node process with `flags`, with no build forced unless `env` forces one. */
const runScript = (script: string, flags: string[], env: Record<string, string> = {}) =>
  runNodeScript(script, { flags, env: { NEURITE_WASM_BUILD: '', NEURITE_WASM_SIMD: '', ...env }, timeout: 60_000 });

describe('choosing the relaxed-SIMD build', () => {
  const report = `
    import * as nn from '${src('index.ts')}';
    try {
      await nn.ready('wasm');
      const { build, relaxedSimd, gemmKernel } = nn.wasmInfo();
      console.log(JSON.stringify({ build, relaxedSimd, gemmKernel }));
    } catch (e) { console.log('error: ' + e.message); }`;

  it('takes it, threaded or not, where the engine validates relaxed SIMD', () => {
    for (const build of ['threads', 'single']) {
      const r = runScript(report, [RELAXED_FLAG], { NEURITE_WASM_BUILD: build });
      expect(r.status, r.out).toBe(0);
      expect(JSON.parse(r.stdout.trim()), r.out).toEqual({ build, relaxedSimd: true, gemmKernel: 'wasmrelaxedsimd 5x8' });
    }
  });

  it('NEURITE_WASM_SIMD=simd128 forces the plain build even there', () => {
    const r = runScript(report, [RELAXED_FLAG], { NEURITE_WASM_SIMD: 'simd128' });
    expect(JSON.parse(r.stdout.trim()), r.out).toEqual({ build: 'threads', relaxedSimd: false, gemmKernel: 'wasmsimd 5x8' });
  });

  it('without relaxed SIMD, loads the plain build, and refuses NEURITE_WASM_SIMD=relaxed saying why', () => {
    const probe = runScript(`import { relaxedSimdAvailable } from '${src('backends/wasm-engine.ts')}'; console.log(relaxedSimdAvailable());`, []);
    const byDefault = probe.stdout.trim() === 'true';
    const auto = runScript(report, []);
    expect(JSON.parse(auto.stdout.trim()), auto.out).toMatchObject({ relaxedSimd: byDefault });
    const forced = runScript(report, [], { NEURITE_WASM_SIMD: 'relaxed' });
    if (byDefault) {
      // a Node whose V8 ships relaxed SIMD (22+): forcing it is what it would pick anyway
      expect(JSON.parse(forced.stdout.trim()), forced.out).toMatchObject({ relaxedSimd: true });
    } else {
      expect(forced.stdout, forced.out).toMatch(/error: .*relaxed-SIMD wasm build cannot run here: this JavaScript engine does not validate relaxed SIMD/);
    }
  });

  it('rejects a bad NEURITE_WASM_SIMD, naming it and what it takes', () => {
    const r = runScript(report, [], { NEURITE_WASM_SIMD: 'fma' });
    expect(r.stdout, r.out).toMatch(/NEURITE_WASM_SIMD: expected 'relaxed' or 'simd128', got 'fma'/);
  });

  it('trains and predicts as the plain build does, to float rounding', () => {
    const script = `
      import * as nn from '${src('index.ts')}';
      await nn.ready('wasm');
      const x = nn.tensor(Float32Array.from({ length: 300 * 37 }, (_, i) => Math.sin(i * 0.37)), [300, 37]);
      const y = Float32Array.from({ length: 300 }, (_, i) => (i * 7) % 5);
      const m = nn.sequential([nn.dense(61, { inputShape: [37], activation: 'relu' }), nn.dense(13, { activation: 'tanh' }),
        nn.dense(5, { activation: 'softmax' })], { backend: 'wasm', seed: 11, threads: 2 });
      m.compile({ optimizer: nn.adam({ learningRate: 0.005 }), loss: 'sparseCategoricalCrossentropy' });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 32 });
      console.log(JSON.stringify({ simd: nn.wasmInfo().relaxedSimd, loss: h.history.loss, p: Array.from((await m.predict(x)).data) }));`;
    const plain = runScript(script, [RELAXED_FLAG], { NEURITE_WASM_SIMD: 'simd128' });
    const relaxed = runScript(script, [RELAXED_FLAG], { NEURITE_WASM_SIMD: 'relaxed' });
    const a = JSON.parse(plain.stdout.trim()) as { simd: boolean; loss: number[]; p: number[] };
    const b = JSON.parse(relaxed.stdout.trim()) as { simd: boolean; loss: number[]; p: number[] };
    expect([a.simd, b.simd]).toEqual([false, true]);
    expect(b.p).toHaveLength(300 * 5);
    // A fused multiply-add rounds once where mul + add rounds twice: the two builds part in the last bits only.
    for (let i = 0; i < a.loss.length; i++) expect(Math.abs(a.loss[i]! - b.loss[i]!)).toBeLessThan(1e-5);
    let worst = 0;
    for (let i = 0; i < a.p.length; i++) worst = Math.max(worst, Math.abs(a.p[i]! - b.p[i]!));
    expect(worst).toBeLessThan(1e-4);
  }, 120_000);
});
