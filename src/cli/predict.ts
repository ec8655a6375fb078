import { readFileSync } from 'node:fs';
import { ready, type BackendChoice } from '../backends/registry.js';
import { fileErrorReason } from '../errors.js';
import { parseCsv, type CsvOptions } from '../data/csv.js';
import { outputActivationOf, type ModelExtras } from '../io/description.js';
import { loadModel } from '../io/node.js';
import { Tensor } from '../tensor.js';
import { asFlagError, choiceOption, csvOptions, resolveDataFile } from './flags.js';
import { BACKENDS, parseFlags } from './train.js';

export const predictHelp = `Predict options:
  --model PATH      a model saved with neurite train --save (.safetensors)
  --data FILE.csv   rows to predict: the same feature columns as in training
                    (a file with one column more is read as features plus the target, which is ignored;
                    iris.csv, which ships with neurite, works from any folder)
  --target COLUMN   that ignored target column, by name or number (default: the last one)
  --header          the first line names the columns (default: it does, unless it is all numbers)
  --no-header       the first line is data
  --delimiter CHAR  , ; tab (or any one character; default: detected)
  --keep-index      keep a leading unnamed index column (pandas to_csv) as a feature; default: dropped
  --backend NAME    auto, native, wasm, ts (default auto)
  -h, --help        this help

Prints one line per row: the class and its probability for classifiers, the predicted value otherwise.`;

export const PREDICT_OPTIONS = {
  model: { type: 'string' },
  data: { type: 'string' },
  target: { type: 'string' },
  header: { type: 'boolean' },
  'no-header': { type: 'boolean' },
  delimiter: { type: 'string' },
  'keep-index': { type: 'boolean' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Features from the CSV, minus a target column if the file still has one (a test split, say). */
function readFeatures(path: string, inputSize: number, target: string | undefined, options: CsvOptions): { x: Tensor; notes: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`--data: cannot read ${path}: ${fileErrorReason(err)}`, { cause: err });
  }
  try {
    // Read with a target column first (the last, or the one named): a class column of names would stop a read of
    // numbers only. Its feature count tells whether the file has a target column at all.
    const withTarget = readWithTarget(text, options, target);
    const features = withTarget.x.shape[1]!;
    if (features === inputSize) return withTarget;
    if (target === undefined && features + 1 === inputSize) return parseCsv(text, { ...options, target: null });
    throw new Error(`${path} has ${features + 1} columns; the model takes ${inputSize} features (or ${inputSize + 1} columns with the target)`);
  } catch (err) {
    throw asFlagError(err, `--data ${path}:`);
  }
}

/** --target by name, or by number when no column has that name (default: the last column). */
function readWithTarget(text: string, options: CsvOptions, target: string | undefined) {
  const read = (column: string | number) => parseCsv(text, { ...options, target: column, targetType: 'class' });
  try {
    return read(target ?? -1);
  } catch (err) {
    if (target !== undefined && /^-?\d+$/.test(target) && /is not a column/.test((err as Error).message)) return read(Number(target));
    throw err;
  }
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

export async function runPredict(argv: string[]): Promise<number> {
  const values = parseFlags(argv, PREDICT_OPTIONS, 'predict');
  if (values.help) {
    console.log(predictHelp);
    return 0;
  }
  if (!values.model) throw new Error('--model: expected the path of a saved model (neurite train --save PATH)');
  if (!values.data) throw new Error('--data: expected a CSV file of rows to predict');
  const backend: BackendChoice = choiceOption('backend', values.backend, 'auto', BACKENDS);
  const options = csvOptions(values);
  const data = resolveDataFile(values.data);
  if (data.note) console.error(data.note); // stderr: stdout holds only the predictions
  try {
    if (backend === 'auto' || backend === 'wasm') await ready(backend);
  } catch (err) {
    throw asFlagError(err, '--backend:');
  }

  const { model, extras, description } = await loadModel(values.model, { backend, compile: false }).catch((err: unknown) => {
    throw asFlagError(err, '--model:');
  });
  try {
    const read = readFeatures(data.path, model.inputSize, values.target, options);
    for (const note of read.notes) console.error(`note: ${asFlagError(new Error(note)).message}`);
    let x = read.x;
    if (extras.standardization) x = standardize(x, extras.standardization);
    const outputs = await model.predict(x);
    console.log(formatPredictions(outputs, outputActivationOf(description.layers), extras.classNames).join('\n'));
  } finally {
    model.dispose();
  }
  return 0;
}
