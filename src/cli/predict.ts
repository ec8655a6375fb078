import { readFileSync } from 'node:fs';
import { ready, type BackendChoice } from '../backends/registry.js';
import { parseCsv, readCsvRecords } from '../data/csv.js';
import type { ModelExtras } from '../io/description.js';
import { loadModel } from '../io/node.js';
import { Tensor } from '../tensor.js';
import { parseFlags } from './flags.js';

export const predictHelp = `Predict options:
  --model PATH      a model saved with --save (.safetensors)
  --data FILE.csv   rows to predict: a header row, then the same feature columns as in training
                    (a file with one column more is read as features plus the target, which is ignored)
  --target COLUMN   that ignored target column (default: the last one)
  --backend NAME    auto, native, wasm, ts (default auto)
  -h, --help        this text

Prints one line per row: the class and its probability for classifiers, the predicted value otherwise.`;

/** Features from the CSV, minus a target column if the file still has one (a test split, say). */
function readFeatures(path: string, inputSize: number, target: string | undefined): Tensor {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`--data: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
  }
  const first = readCsvRecords(text)[0];
  if (!first) throw new Error(`--data: ${path} holds no rows`);
  const width = first.fields.length;
  if (width === inputSize && target === undefined) return parseCsv(text, { target: null }).x;
  if (width === inputSize + 1) {
    const column = target === undefined ? -1 : /^-?\d+$/.test(target) ? Number(target) : target;
    return parseCsv(text, { target: column, targetType: 'class' }).x;
  }
  throw new Error(`--data: ${path} has ${width} columns; the model takes ${inputSize} features (or ${inputSize + 1} columns with the target)`);
}

/** (x - mean) / std per column, exactly as training applied it (float32 results). */
function standardize(x: Tensor, stats: NonNullable<ModelExtras['standardization']>): Tensor {
  const cols = stats.mean.length;
  const out = new Float32Array(x.size);
  for (let i = 0; i < out.length; i++) out[i] = (x.data[i]! - stats.mean[i % cols]!) / stats.std[i % cols]!;
  return new Tensor(out, [...x.shape]);
}

function formatValue(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** One line per row: "class probability" for classifiers, the value(s) for regression. */
export function formatPredictions(outputs: Tensor, outputActivation: string, classNames: string[] | undefined): string[] {
  const [rows, units] = outputs.shape as [number, number];
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row = outputs.data.subarray(r * units, (r + 1) * units);
    if (outputActivation === 'softmax') {
      let best = 0;
      for (let k = 1; k < units; k++) if (row[k]! > row[best]!) best = k;
      lines.push(`${classNames?.[best] ?? String(best)} ${row[best]!.toFixed(4)}`);
    } else if (outputActivation === 'sigmoid' && units === 1) {
      const p = row[0]!;
      const names = classNames ?? ['0', '1'];
      lines.push(p >= 0.5 ? `${names[1]} ${p.toFixed(4)}` : `${names[0]} ${(1 - p).toFixed(4)}`);
    } else {
      lines.push(Array.from(row, formatValue).join(','));
    }
  }
  return lines;
}

/** Every flag `neurite predict` takes; predictHelp lists each (a test holds the two together). */
export const predictFlags = {
  model: { type: 'string' },
  data: { type: 'string' },
  target: { type: 'string' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runPredict(argv: string[]): Promise<number> {
  const values = parseFlags('predict', argv, predictFlags);
  if (values.help) {
    console.log(predictHelp);
    return 0;
  }
  if (!values.model) throw new Error('--model: expected the path of a saved model (neurite train --save PATH)');
  if (!values.data) throw new Error('--data: expected a CSV file of rows to predict');
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (backend === 'auto' || backend === 'wasm') await ready(backend);

  const { model, extras, description } = await loadModel(values.model, { backend, compile: false });
  try {
    let x = readFeatures(values.data, model.inputSize, values.target);
    if (extras.standardization) x = standardize(x, extras.standardization);
    const outputs = await model.predict(x);
    const lastDense = [...description.layers].reverse().find((l) => l.kind === 'dense');
    const activation = lastDense?.kind === 'dense' ? lastDense.activation : 'linear';
    console.log(formatPredictions(outputs, activation, extras.classNames).join('\n'));
  } finally {
    model.dispose();
  }
  return 0;
}
