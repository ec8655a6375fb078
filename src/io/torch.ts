import { ACTIVATION_FORMATS, pythonFloat } from './activation-formats.js';
import type { ModelDescription } from './description.js';

/**
 * A neurite model as the plain `torch.nn.Sequential` a PyTorch user would write for it: each dense layer is an
 * `nn.Linear`, followed by its activation module unless the activation is linear; dropout is `nn.Dropout`,
 * batch normalisation `nn.BatchNorm1d`, layer normalisation `nn.LayerNorm`, an activation layer its module and
 * flatten `nn.Flatten`. (A normalisation layer with only one of center and scale has no plain PyTorch module:
 * its file names the one tensor as weight or bias, and PyTorch's strict load then reports the other missing.)
 * nn.Sequential numbers its modules 0, 1, 2, ..., and its state_dict names a Linear's parameters
 * `{index}.weight` ([out, in]) and `{index}.bias` ([out]). neurite's files use exactly these names, so
 * `model.load_state_dict(load_file(path), strict=True)` works on that Sequential.
 */

export interface TorchModule {
  /** position in nn.Sequential */
  index: number;
  /** the Python expression that builds it */
  code: string;
  /** the neurite layer it comes from */
  layer: number;
  /** parameter names in the state_dict ([] for modules without parameters) */
  parameters: string[];
}

/** The modules of the Sequential for a model, in order. */
export function torchModules(d: Pick<ModelDescription, 'inputSize' | 'layers'>): TorchModule[] {
  const modules: TorchModule[] = [];
  let width = d.inputSize;
  d.layers.forEach((l, i) => {
    const index = modules.length;
    const add = (code: string, parameters: string[] = []) => modules.push({ index: modules.length, code, layer: i, parameters });
    switch (l.kind) {
      case 'dropout':
        return add(`nn.Dropout(p=${pythonFloat(l.rate)})`);
      case 'flatten':
        return add('nn.Flatten()');
      case 'activation': {
        const activation = ACTIVATION_FORMATS[l.activation].torch;
        return add(activation ? activation(l.alpha) : 'nn.Identity()');
      }
      case 'batchNormalization':
      case 'layerNormalization': {
        // gamma and beta are BatchNorm1d's and LayerNorm's weight and bias; the moving statistics BatchNorm1d's
        // running_mean and running_var (the same meaning at inference; PyTorch's momentum is 1 − Keras's)
        const names = [...(l.scale ? [`${index}.weight`] : []), ...(l.center ? [`${index}.bias`] : [])];
        const affine = l.scale || l.center ? '' : l.kind === 'batchNormalization' ? ', affine=False' : ', elementwise_affine=False';
        if (l.kind === 'layerNormalization') return add(`nn.LayerNorm(${width}, eps=${pythonFloat(l.epsilon)}${affine})`, names);
        return add(
          `nn.BatchNorm1d(${width}, eps=${pythonFloat(l.epsilon)}, momentum=${pythonFloat(1 - l.momentum)}${affine})`,
          [...names, `${index}.running_mean`, `${index}.running_var`],
        );
      }
      case 'dense': {
        const bias = l.useBias ? '' : ', bias=False';
        add(`nn.Linear(${width}, ${l.units}${bias})`, l.useBias ? [`${index}.weight`, `${index}.bias`] : [`${index}.weight`]);
        const activation = ACTIVATION_FORMATS[l.activation].torch;
        if (activation) add(activation(l.alpha));
        width = l.units;
      }
    }
  });
  return modules;
}

/** `{index}.weight` / `{index}.bias` of each dense layer, by neurite layer index. */
export function torchParameterNames(d: Pick<ModelDescription, 'inputSize' | 'layers'>): Map<number, { weight: string; bias: string }> {
  const names = new Map<number, { weight: string; bias: string }>();
  for (const m of torchModules(d)) {
    if (m.parameters.length > 0 && d.layers[m.layer]!.kind === 'dense') names.set(m.layer, { weight: `${m.index}.weight`, bias: `${m.index}.bias` });
  }
  return names;
}

/** One tensor of a model in getWeights order, as PyTorch's state_dict names and shapes it. */
export interface TorchParameter {
  name: string;
  /** PyTorch's shape: [out, in] for a kernel, [units] otherwise */
  fileShape: number[];
  /** index of the neurite layer */
  layer: number;
  /** the state_dict leaf: weight, bias, running_mean, running_var */
  leaf: string;
  /** false for the moving statistics (no optimizer state) */
  trainable: boolean;
  /** kernels: neurite's [in, units], to transpose by */
  kernel?: { inputs: number; units: number };
}

export function torchParameters(d: Pick<ModelDescription, 'inputSize' | 'layers'>): TorchParameter[] {
  const out: TorchParameter[] = [];
  let width = d.inputSize;
  for (const m of torchModules(d)) {
    const l = d.layers[m.layer]!;
    for (const name of m.parameters) {
      const leaf = name.slice(name.lastIndexOf('.') + 1);
      if (l.kind === 'dense' && leaf === 'weight') {
        out.push({ name, fileShape: [l.units, width], layer: m.layer, leaf, trainable: true, kernel: { inputs: width, units: l.units } });
      } else {
        const units = l.kind === 'dense' ? l.units : width;
        out.push({ name, fileShape: [units], layer: m.layer, leaf, trainable: leaf === 'weight' || leaf === 'bias' });
      }
    }
    if (l.kind === 'dense' && m.parameters.length > 0) width = l.units;
  }
  return out;
}

/** The optimizer group neurite adds with includeOptimizer: `optimizer.{parameter}.{slot}`. */
export const OPTIMIZER_PREFIX = 'optimizer.';

/**
 * A Python module that defines the Sequential and loads the file into it (strict). It reads safetensors with
 * torch alone, so it runs wherever torch does; `safetensors.torch.load_file` gives the same dictionary.
 */
export function torchCode(d: ModelDescription, path: string, options: { hasOptimizerState: boolean }): string {
  const modules = torchModules(d);
  const width = Math.max(...modules.map((m) => m.code.length)) + 1;
  const lines = modules.map((m) => `    ${`${m.code},`.padEnd(width)}  # ${m.index}`);
  const literal = JSON.stringify(path);
  const load = options.hasOptimizerState
    ? [
        `state = load_file(${literal})`,
        '# the file also holds the optimizer state (saved with includeOptimizer): not part of the module',
        `model.load_state_dict({k: v for k, v in state.items() if not k.startswith("${OPTIMIZER_PREFIX}")}, strict=True)`,
      ]
    : [`model.load_state_dict(load_file(${literal}), strict=True)`];
  return [
    `# PyTorch module for ${path}: neurite model ${JSON.stringify(d.name)}, ${d.inputSize} inputs.`,
    '# Written by `npx neurite torch-code`. Importing this file gives `model` with the weights loaded.',
    'import json',
    'import struct',
    '',
    'import torch',
    'from torch import nn',
    '',
    'model = nn.Sequential(',
    ...lines,
    ')',
    '',
    '',
    'def load_file(path):',
    '    """A safetensors file as {name: tensor} with torch alone (safetensors.torch.load_file does the same)."""',
    '    with open(path, "rb") as f:',
    '        data = f.read()',
    '    n = struct.unpack("<Q", data[:8])[0]',
    '    header = json.loads(data[8 : 8 + n])',
    '    header.pop("__metadata__", None)',
    '    dtypes = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}',
    '    tensors = {}',
    '    for name, info in header.items():',
    '        begin, end = info["data_offsets"]',
    '        raw = bytearray(data[8 + n + begin : 8 + n + end])',
    '        tensors[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])',
    '    return tensors',
    '',
    '',
    ...load,
    'model.eval()',
    '',
  ].join('\n');
}
