/**
 * PyTorch interop, both directions, against Debian's torch (/usr/bin/python3; CI installs python3-torch). Tests
 * that need torch fail with the install command when it is missing: they never skip.
 * - neurite → torch: a saved file loads with load_state_dict(strict=True) into the plain nn.Sequential that
 *   `neurite torch-code` prints, and predicts what neurite predicts.
 * - torch → neurite: model.loadWeights reads state_dicts torch wrote (F32, F16, BF16, F64), committed
 *   (test/fixtures/io/torch-state-dict-*, scripts/torch-interop.py fixtures) and written during the test.
 * - version 1 files (layers.{i} names, test/fixtures/io/torch-classifier|regressor) still load.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../src/index.js';
import { deserializeModel, serializeModel } from '../src/io/model-file.js';
import { encodeSafetensors } from '../src/io/safetensors.js';
import { runTorchCode } from '../src/cli/torch-code.js';
import { rngKey, rngU32, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';
import { requireTorch, runPython } from './helpers/python.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'test', 'fixtures', 'io');
const goldenScript = join(root, 'scripts', 'torch-golden.py');
const interopScript = join(root, 'scripts', 'torch-interop.py');

let dir: string;
beforeAll(async () => {
  for (const b of testedBackends) await prepareBackend(b);
  dir = mkdtempSync(join(tmpdir(), 'neurite-torch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inputs(seed: number, rows: number, cols: number): number[][] {
  const key = rngKey(seed, 66, 0);
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => 4 * rngUniform(key, r * cols + c) - 2));
}

/** `neurite torch-code PATH`, in process (from folder `cwd` when given): what it writes to stdout. */
async function torchCode(path: string, cwd?: string): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const before = process.cwd();
  try {
    if (cwd) process.chdir(cwd);
    expect(await runTorchCode([path])).toBe(0);
  } finally {
    process.chdir(before);
    spy.mockRestore();
  }
  return out;
}

describe('neurite → PyTorch: the plain nn.Sequential, strict', () => {
  const layers = () => [
    nn.dense(11, { inputShape: [6], activation: 'leakyRelu', alpha: 0.05 }),
    nn.dropout(0.2),
    nn.dense(7, { activation: 'tanh', useBias: false }),
    nn.dense(5, { activation: 'sigmoid' }),
    nn.dense(13),
    nn.dense(8, { activation: 'relu' }),
    nn.dense(3, { activation: 'softmax' }),
  ];

  it('trained models saved on every backend, with and without optimizer state, load into torch and predict the same', async () => {
    requireTorch();
    const x = inputs(1, 13, 6);
    const key = rngKey(5, 1, 1);
    const y = Float32Array.from({ length: 13 }, (_, i) => rngU32(key, i) % 3);
    const cases: { module: string; ours: Float32Array; label: string }[] = [];
    for (const backend of testedBackends) {
      const model = nn.sequential(layers(), { backend, seed: 12 });
      model.compile({ optimizer: nn.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy' });
      await model.fit(x, y, { epochs: 5, batchSize: 4 });
      for (const includeOptimizer of [false, true]) {
        const file = `model-${backend}-${includeOptimizer}.safetensors`;
        await model.save(join(dir, file), { includeOptimizer });
        const module = `m_${backend}_${includeOptimizer}`;
        // the module exactly as `neurite torch-code` prints it for a path relative to the folder
        writeFileSync(join(dir, `${module}.py`), await torchCode(file, dir));
        cases.push({ module, ours: (await model.predict(x)).data, label: `${backend}, includeOptimizer ${includeOptimizer}` });
      }
      model.dispose();
    }
    // one Python process for all of them: importing torch takes seconds
    const out = runPython(
      [
        'import importlib, json, torch',
        `x = torch.tensor(${JSON.stringify(x)})`,
        `print(json.dumps([importlib.import_module(m).model(x).tolist() for m in ${JSON.stringify(cases.map((c) => c.module))}]))`,
      ].join('\n'),
      dir,
    );
    const torch = JSON.parse(out) as number[][][];
    cases.forEach((c, i) => expectClose(`torch vs neurite (${c.label})`, Float32Array.from(torch[i]!.flat()), c.ours, { rtol: 1e-5, atol: 1e-6 }));
  });

  it('torch-code writes the activations of issue 11 as nn.GELU, nn.SiLU, nn.ELU, nn.SELU, nn.Softplus, nn.Softsign, nn.Mish, and torch predicts the same', async () => {
    requireTorch();
    const x = inputs(3, 13, 6);
    const acts = [
      nn.dense(13, { inputShape: [6], activation: 'gelu', biasInitializer: 'ones' }),
      nn.dense(11, { activation: 'silu' }),
      nn.dense(9, { activation: 'elu' }),
      nn.dense(8, { activation: 'selu' }),
      nn.dense(7, { activation: 'softplus' }),
      nn.dense(6, { activation: 'softsign' }),
      nn.dense(5, { activation: 'mish' }),
      nn.dense(3),
    ];
    const cases: { module: string; ours: Float32Array; label: string }[] = [];
    for (const backend of testedBackends) {
      const model = nn.sequential(acts, { backend, seed: 21 });
      const file = `acts-${backend}.safetensors`;
      await model.save(join(dir, file));
      const code = await torchCode(file, dir);
      for (const m of ['nn.GELU()', 'nn.SiLU()', 'nn.ELU()', 'nn.SELU()', 'nn.Softplus()', 'nn.Softsign()', 'nn.Mish()']) expect(code).toContain(m);
      writeFileSync(join(dir, `acts_${backend}.py`), code);
      cases.push({ module: `acts_${backend}`, ours: (await model.predict(x)).data, label: backend });
      model.dispose();
    }
    const out = runPython(
      [
        'import importlib, json, torch',
        `x = torch.tensor(${JSON.stringify(x)})`,
        `print(json.dumps([importlib.import_module(m).model(x).tolist() for m in ${JSON.stringify(cases.map((c) => c.module))}]))`,
      ].join('\n'),
      dir,
    );
    const torch = JSON.parse(out) as number[][][];
    cases.forEach((c, i) => expectClose(`torch vs neurite (${c.label})`, Float32Array.from(torch[i]!.flat()), c.ours, { rtol: 1e-5, atol: 1e-6 }));
  });

  it('a file saved without the optimizer holds exactly the Sequential state_dict: names, shapes, nothing else', () => {
    const model = nn.sequential(layers(), { backend: 'ts', seed: 3 });
    const bytes = serializeModel(model);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))));
    delete header.__metadata__;
    const code = [
      'import json, torch',
      'from torch import nn',
      'net = nn.Sequential(nn.Linear(6, 11), nn.LeakyReLU(0.05), nn.Dropout(0.2), nn.Linear(11, 7, bias=False), nn.Tanh(),',
      '    nn.Linear(7, 5), nn.Sigmoid(), nn.Linear(5, 13), nn.Linear(13, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1))',
      'print(json.dumps({k: list(v.shape) for k, v in net.state_dict().items()}))',
    ].join('\n');
    const expected = JSON.parse(runPython(code, dir)) as Record<string, number[]>;
    expect(Object.fromEntries(Object.entries(header).map(([k, v]) => [k, (v as { shape: number[] }).shape]))).toEqual(expected);
    model.dispose();
  });
});

describe('the byte layout', () => {
  /** What the file must contain, from the model's weights and the format's definition alone. */
  function expectedFile(model: nn.Sequential): { header: Record<string, unknown>; data: Float32Array } {
    const header: Record<string, unknown> = {};
    const values: number[] = [];
    const weights = model.getWeights();
    let w = 0;
    let module = 0; // nn.Sequential's index: Linear, then its activation module unless linear; Dropout
    for (const layer of model.spec.layers) {
      if (layer.kind !== 'dense') {
        module += 1;
        continue;
      }
      const kernel = weights[w++]!;
      header[`${module}.weight`] = { dtype: 'F32', shape: [layer.units, layer.inputSize], data_offsets: [4 * values.length, 4 * (values.length + kernel.size)] };
      for (let o = 0; o < layer.units; o++) for (let k = 0; k < layer.inputSize; k++) values.push(kernel.data[k * layer.units + o]!);
      if (layer.useBias) {
        header[`${module}.bias`] = { dtype: 'F32', shape: [layer.units], data_offsets: [4 * values.length, 4 * (values.length + layer.units)] };
        values.push(...weights[w++]!.data);
      }
      module += layer.activation === 'linear' ? 1 : 2;
    }
    return { header, data: new Float32Array(values) };
  }

  it('is exactly the one the format defines', () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [4], activation: 'relu' }), nn.dropout(0.1), nn.dense(5), nn.dense(2, { useBias: false, activation: 'sigmoid' })], { backend: 'ts', seed: 1 });
    const bytes = serializeModel(model);
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const expected = expectedFile(model);
    expect(Object.keys(header)).toEqual(['__metadata__', ...Object.keys(expected.header)]);
    expect(Object.keys(expected.header)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '4.weight']);
    for (const [k, v] of Object.entries(expected.header)) expect(header[k]).toEqual(v);
    expect(Buffer.from(bytes.subarray(8 + n)).equals(Buffer.from(expected.data.buffer))).toBe(true);
    model.dispose();
  });

  it('puts optimizer state in one group, optimizer.*, only when asked', () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'tanh' }), nn.dense(1)], { backend: 'ts', seed: 1 });
    model.compile({ optimizer: nn.adam(), loss: 'mse' });
    const names = (bytes: Uint8Array) => Object.keys(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))))).filter((k) => k !== '__metadata__');
    expect(names(serializeModel(model))).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(names(serializeModel(model, { includeOptimizer: true }))).toEqual([
      '0.weight', '0.bias', '2.weight', '2.bias',
      'optimizer.0.weight.m', 'optimizer.0.weight.v', 'optimizer.0.bias.m', 'optimizer.0.bias.v',
      'optimizer.2.weight.m', 'optimizer.2.weight.v', 'optimizer.2.bias.m', 'optimizer.2.bias.v',
    ]);
    model.dispose();
  });
});

interface StateDictGolden {
  torch: string;
  inputs: number[][];
  outputs: Record<'F32' | 'F16' | 'BF16' | 'F64', number[][]>;
}

/** neurite's form of scripts/torch-interop.py's FIXTURES["state-dict"]. */
const fixtureLayers = (): nn.LayerConfig[] => [
  nn.dense(6, { inputShape: [3], activation: 'relu' }),
  nn.dropout(0.25),
  nn.dense(5, { activation: 'tanh', useBias: false }),
  nn.dense(4, { activation: 'leakyRelu', alpha: 0.1 }),
  nn.dense(4, { activation: 'sigmoid' }),
  nn.dense(2),
  nn.dense(3, { activation: 'softmax' }),
];

describe('PyTorch → neurite: model.loadWeights', () => {
  const golden = JSON.parse(readFileSync(join(fixtures, 'torch-state-dict.json'), 'utf8')) as StateDictGolden;
  for (const dtype of ['F32', 'F16', 'BF16', 'F64'] as const) {
    for (const backend of testedBackends) {
      it(`a committed ${dtype} state_dict (12 modules, "10.weight" sorts after "3.weight") predicts torch's outputs (${backend})`, async () => {
        const model = nn.sequential(fixtureLayers(), { backend, seed: 1 });
        await model.loadWeights(join(fixtures, `torch-state-dict-${dtype.toLowerCase()}.safetensors`));
        expectClose(`${dtype} vs torch ${golden.torch}`, (await model.predict(golden.inputs)).data, golden.outputs[dtype].flat(), { rtol: 1e-5, atol: 1e-6 });
        model.dispose();
      });
    }
  }

  it('state_dicts torch writes now, odd sizes 1, 7, 13, 255, every dtype, from bytes', async () => {
    requireTorch();
    const spec = {
      name: 'odd',
      seed: 3,
      rows: 9,
      inputs: 7,
      modules: [['Linear', 7, 13], ['Tanh'], ['Linear', 13, 255], ['ReLU'], ['Dropout', 0.5], ['Linear', 255, 1, false], ['Sigmoid'], ['Linear', 1, 7], ['LeakyReLU', 0.3], ['Linear', 7, 13], ['Softmax', -1]],
    };
    writeFileSync(join(dir, 'odd.json'), JSON.stringify(spec));
    runPython(null, dir, [interopScript, 'state-dict', join(dir, 'odd.json'), dir]);
    const g = JSON.parse(readFileSync(join(dir, 'odd.json'), 'utf8')) as StateDictGolden;
    const layers = () => [
      nn.dense(13, { inputShape: [7], activation: 'tanh' }),
      nn.dense(255, { activation: 'relu' }),
      nn.dropout(0.5),
      nn.dense(1, { activation: 'sigmoid', useBias: false }),
      nn.dense(7, { activation: 'leakyRelu', alpha: 0.3 }),
      nn.dense(13, { activation: 'softmax' }),
    ];
    for (const dtype of ['F32', 'F16', 'BF16', 'F64'] as const) {
      const model = nn.sequential(layers(), { backend: 'ts', seed: 2 });
      await model.loadWeights(new Uint8Array(readFileSync(join(dir, `odd-${dtype.toLowerCase()}.safetensors`))));
      expectClose(`${dtype} vs torch`, (await model.predict(g.inputs)).data, g.outputs[dtype].flat(), { rtol: 1e-5, atol: 1e-6 });
      model.dispose();
    }
  });

  it("reads neurite's own files of the same architecture (version 2 with optimizer state, and version 1)", async () => {
    const source = nn.sequential(fixtureLayers(), { backend: 'ts', seed: 4 });
    source.compile({ optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'categoricalCrossentropy' });
    const x = inputs(2, 5, 3);
    const target = nn.sequential(fixtureLayers(), { backend: 'ts', seed: 5 });
    await target.loadWeights(serializeModel(source, { includeOptimizer: true }));
    expect(Array.from((await target.predict(x)).data)).toEqual(Array.from((await source.predict(x)).data));

    const legacy = nn.sequential([nn.dense(7, { inputShape: [5], activation: 'relu' }), nn.dropout(0.25), nn.dense(6, { activation: 'leakyRelu', alpha: 0.1 }), nn.dense(4, { activation: 'softmax' })], { backend: 'ts', seed: 1 });
    await legacy.loadWeights(join(fixtures, 'torch-classifier.safetensors'));
    const golden = JSON.parse(readFileSync(join(fixtures, 'torch-classifier.json'), 'utf8')) as { inputs: number[][]; outputs: number[][] };
    expectClose('version 1 file through loadWeights', (await legacy.predict(golden.inputs)).data, golden.outputs.flat(), { rtol: 1e-5, atol: 1e-6 });
    for (const m of [source, target, legacy]) m.dispose();
  });

  const held = (entries: [string, number[]][]) =>
    encodeSafetensors(entries.map(([name, shape]) => ({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5) })));
  const small = () => nn.sequential([nn.dense(3, { inputShape: [2], activation: 'relu' }), nn.dense(1)], { backend: 'ts', seed: 1 });
  const refusals: [string, () => Uint8Array, RegExp][] = [
    [
      'a missing layer, listing both sides',
      () => held([['0.weight', [3, 2]], ['0.bias', [3]]]),
      /does not fit the model: the file holds 2 tensors, the model has 4 parameters\.\n {2}the file holds: "0\.weight" \[3, 2\] F32, "0\.bias" \[3\] F32\n {2}the model expects: "0\.weight" \[3, 2\], "0\.bias" \[3\], "2\.weight" \[1, 3\], "2\.bias" \[1\]/,
    ],
    ['a shape that differs', () => held([['0.weight', [3, 2]], ['0.bias', [3]], ['2.weight', [2, 3]], ['2.bias', [2]]]), /tensor "2\.weight" has shape \[2, 3\], the model's 2\.weight \(layer 1\) needs \[1, 3\] \(\[out, in\], as nn\.Linear\)/],
    ['a kernel stored [in, out]', () => held([['0.weight', [2, 3]], ['0.bias', [3]], ['2.weight', [3, 1]], ['2.bias', [1]]]), /tensor "0\.weight" has shape \[2, 3\], the model's 0\.weight \(layer 0\) needs \[3, 2\]/],
    ['a name that is not weight or bias', () => held([['0.weight', [3, 2]], ['0.bias', [3]], ['2.scale', [1, 3]], ['2.bias', [1]]]), /tensor "2\.scale" is none of weight, bias, running_mean, running_var/],
    ['a bias where a weight belongs', () => held([['0.weight', [3, 2]], ['0.bias', [3]], ['2.bias', [1]], ['3.bias', [1]]]), /tensor "2\.bias" stands where the model has a weight \(2\.weight, layer 1\)/],
    ['a bias from another module', () => held([['0.weight', [3, 2]], ['1.bias', [3]], ['2.weight', [1, 3]], ['2.bias', [1]]]), /bias "1\.bias" does not belong to the tensor before it \("0\.weight"\)/],
    ['a neurite file of another architecture', () => serializeModel(nn.sequential([nn.dense(3, { inputShape: [2], activation: 'tanh' }), nn.dense(1)], { backend: 'ts' })), /the file's model is 2 → dense\(3, tanh\) → dense\(1, linear\); this model is 2 → dense\(3, relu\) → dense\(1, linear\)/],
    ['an infinite weight', () => held([['0.weight', [3, 2]], ['0.bias', [3]], ['2.weight', [1, 3]], ['2.bias', [1]]]).map((b, i, a) => (i === a.length - 1 ? 0x7f : i === a.length - 2 ? 0x80 : b)), /tensor 2\.bias holds Infinity at index 0: values must be finite/],
  ];
  for (const [what, make, message] of refusals) {
    it(`refuses ${what}, and leaves the model as it was`, async () => {
      const model = small();
      const before = model.getWeightArrays();
      await expect(model.loadWeights(make())).rejects.toThrow(message);
      expect(model.getWeightArrays()).toEqual(before);
      model.dispose();
    });
  }

  it('refuses what is not a file', async () => {
    const model = small();
    await expect(model.loadWeights(join(dir, 'nope.safetensors'))).rejects.toThrow(/loadWeights: cannot read .*nope\.safetensors: no such file/);
    await expect(model.loadWeights(42 as never)).rejects.toThrow(/loadWeights: source: expected a file path, a Uint8Array or an ArrayBuffer, got number/);
    await expect(model.loadWeights(new Uint8Array(3))).rejects.toThrow(/file too short/);
    model.dispose();
  });
});

describe('version 1 files (layers.{i}), written by torch through a wrapper module', () => {
  interface Golden {
    torch: string;
    inputs: number[][];
    outputs: number[][];
  }
  for (const name of ['torch-classifier', 'torch-regressor']) {
    for (const backend of testedBackends) {
      it(`${name}.safetensors predicts torch's outputs (${backend})`, async () => {
        const golden = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Golden;
        const { model, extras } = deserializeModel(readFileSync(join(fixtures, `${name}.safetensors`)), { backend });
        expect(model.inputSize).toBe(golden.inputs[0]!.length);
        expectClose(`${name} vs torch ${golden.torch}`, (await model.predict(golden.inputs)).data, golden.outputs.flat(), { rtol: 1e-5, atol: 1e-6 });
        if (name === 'torch-classifier') expect(extras.classNames).toEqual(['ant', 'bee', 'cicada', 'dragonfly']);
        model.dispose();
      });
    }
  }

  it("reproduce through scripts/torch-golden.py's torch forward", () => {
    requireTorch();
    for (const name of ['torch-classifier', 'torch-regressor']) {
      const golden = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Golden;
      const inputsPath = join(dir, `${name}-inputs.json`);
      writeFileSync(inputsPath, JSON.stringify({ inputs: golden.inputs }));
      const out = runPython(null, dir, [goldenScript, 'predict', join(fixtures, `${name}.safetensors`), inputsPath]);
      expectClose(name, Float32Array.from(JSON.parse(out).outputs.flat()), golden.outputs.flat(), { rtol: 1e-6, atol: 1e-7 });
    }
  });
});

describe('neurite torch-code', () => {
  it('prints the Sequential with its module indices, and the strict load', async () => {
    const model = nn.sequential([nn.dense(4, { inputShape: [3], activation: 'leakyRelu', alpha: 0.25 }), nn.dropout(0.5), nn.dense(2, { useBias: false }), nn.dense(1, { activation: 'sigmoid' })], { backend: 'ts', seed: 1, name: 'tiny' });
    const path = join(dir, 'tiny.safetensors');
    await model.save(path);
    const code = await torchCode(path);
    expect(code).toContain(
      [
        'model = nn.Sequential(',
        '    nn.Linear(3, 4),                    # 0',
        '    nn.LeakyReLU(negative_slope=0.25),  # 1',
        '    nn.Dropout(p=0.5),                  # 2',
        '    nn.Linear(4, 2, bias=False),        # 3',
        '    nn.Linear(2, 1),                    # 4',
        '    nn.Sigmoid(),                       # 5',
        ')',
      ].join('\n'),
    );
    expect(code).toContain(`model.load_state_dict(load_file(${JSON.stringify(path)}), strict=True)`);
    expect(code.startsWith(`# PyTorch module for ${path}: neurite model "tiny", 3 inputs.`)).toBe(true);
    model.dispose();
  });

  it('refuses version 1 files, a missing file and a wrong argument count', async () => {
    await expect(runTorchCode([join(fixtures, 'torch-classifier.safetensors')])).rejects.toThrow(/saved by an older neurite, whose tensor names \(layers\.\{i\}\) no plain nn\.Sequential has/);
    await expect(runTorchCode([join(dir, 'missing.safetensors')])).rejects.toThrow(/no such file/);
    await expect(runTorchCode([])).rejects.toThrow(/torch-code: expected one model file/);
    await expect(runTorchCode(['a', 'b'])).rejects.toThrow(/got 2/);
    await expect(runTorchCode(['--bogus', 'a'])).rejects.toThrow(/bogus/);
  });
});
