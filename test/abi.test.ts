/**
 * One description of the C ABI (native/abi/abi.json) feeds both sides: neurite/abi.h (whose static_asserts hold
 * the compiler's layout to the schema) and src/backends/abi-generated.ts. This fails when either generated file
 * is stale, and checks that the encoder writes each field where the schema puts it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as generated from '../src/backends/abi-generated.js';
import { decodeMetrics, encodeLayers, encodeOptimizer } from '../src/backends/abi.js';
import { activationNames } from '../src/activations.js';
import { lossNames } from '../src/losses.js';
import { makeSpec } from './wasm-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const schema = JSON.parse(readFileSync(`${root}native/abi/abi.json`, 'utf8'));

describe('the ABI schema', () => {
  it('generated files are up to date (npm run gen:abi)', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-abi.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the check fails on a header edited by hand', () => {
    // The generator's own output, one enum value changed, must not pass for the schema's.
    const header = readFileSync(`${root}native/include/neurite/abi.h`, 'utf8');
    expect(header).toContain('NRT_ACTIVATION_SOFTMAX = 5,');
    const code = `import('./scripts/gen-abi.mjs').then(({ generate }) => {
      const schema = JSON.parse(require('fs').readFileSync('native/abi/abi.json', 'utf8'));
      schema.enums.activation.values.reverse();
      process.stdout.write(generate(schema).c);
    })`;
    const r = spawnSync(process.execPath, ['-e', code], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toBe(header);
    const count = (JSON.parse(readFileSync(`${root}native/abi/abi.json`, 'utf8')) as { enums: { activation: { values: unknown[] } } }).enums.activation.values.length;
    expect(r.stdout).toContain(`NRT_ACTIVATION_LINEAR = ${count - 1},`);
  });

  it('the API names come from the schema', () => {
    expect(activationNames).toEqual(schema.enums.activation.values.map((v: { name: string }) => v.name));
    expect(lossNames).toEqual(schema.enums.loss.values.map((v: { name: string }) => v.name));
    expect(generated.limits.maxWidth).toBe(2 ** 24);
  });

  it('encodes every layer field at the schema offset', () => {
    const spec = makeSpec(3, [{ dense: 5, activation: 'leakyRelu', alpha: 0.25, l2: 0.5, useBias: false }, { dropout: 0.5 }]);
    const bytes = encodeLayers(spec);
    const L = generated.layerDescLayout;
    expect(bytes.length).toBe(2 * L.size);
    const v = new DataView(bytes.buffer);
    expect(v.getInt32(L.fields.kind.offset, true)).toBe(generated.layerKindCodes.dense);
    expect(v.getInt32(L.fields.units.offset, true)).toBe(5);
    expect(v.getInt32(L.fields.activation.offset, true)).toBe(generated.activationCodes.leakyRelu);
    expect(v.getInt32(L.fields.useBias.offset, true)).toBe(0);
    expect(v.getFloat64(L.fields.alpha.offset, true)).toBe(0.25);
    expect(v.getFloat64(L.fields.l2.offset, true)).toBe(0.5);
    expect(v.getInt32(L.size + L.fields.kind.offset, true)).toBe(generated.layerKindCodes.dropout);
    expect(v.getFloat64(L.size + L.fields.rate.offset, true)).toBe(0.5);
    expect(v.getUint32(L.size + L.fields.threshold.offset, true)).toBe(2 ** 23);
  });

  it('encodes optimizers and decodes metrics through the same layouts', () => {
    const o = encodeOptimizer({ kind: 'rmsprop', learningRate: 0.01, rho: 0.8, momentum: 0.5, epsilon: 1e-7 });
    const O = generated.optimizerDescLayout;
    const v = new DataView(o.buffer);
    expect(v.getInt32(O.fields.kind.offset, true)).toBe(generated.optimizerCodes.rmsprop);
    expect(v.getFloat64(O.fields.rho.offset, true)).toBe(0.8);
    expect(v.getFloat64(O.fields.beta1.offset, true)).toBe(0);
    expect(() => encodeOptimizer({ kind: 'lion' } as never)).toThrow(/no optimizer is called "lion"/);
    const M = generated.metricsLayout;
    const m = new Uint8Array(M.size + 8);
    new DataView(m.buffer).setFloat64(8 + M.fields.loss.offset, 1.5, true);
    expect(decodeMetrics(m, 8)).toEqual({ loss: 1.5 });
  });
});
