import { ACTIVATION_FORMATS, pythonFloat } from './activation-formats.js';
import type { ModelDescription } from './description.js';

/**
 * A neurite model as the plain `torch.nn.Sequential` a PyTorch user would write for it: each dense layer is an
 * `nn.Linear`, followed by its activation module unless the activation is linear; dropout is `nn.Dropout`.
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
    if (l.kind === 'dropout') {
      modules.push({ index, code: `nn.Dropout(p=${pythonFloat(l.rate)})`, layer: i, parameters: [] });
      return;
    }
    const bias = l.useBias ? '' : ', bias=False';
    modules.push({ index, code: `nn.Linear(${width}, ${l.units}${bias})`, layer: i, parameters: l.useBias ? [`${index}.weight`, `${index}.bias`] : [`${index}.weight`] });
    const activation = ACTIVATION_FORMATS[l.activation].torch;
    if (activation) modules.push({ index: index + 1, code: activation(l.alpha), layer: i, parameters: [] });
    width = l.units;
  });
  return modules;
}

/** `{index}.weight` / `{index}.bias` of each dense layer, by neurite layer index. */
export function torchParameterNames(d: Pick<ModelDescription, 'inputSize' | 'layers'>): Map<number, { weight: string; bias: string }> {
  const names = new Map<number, { weight: string; bias: string }>();
  for (const m of torchModules(d)) {
    if (m.parameters.length > 0) names.set(m.layer, { weight: `${m.index}.weight`, bias: `${m.index}.bias` });
  }
  return names;
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
