import { parseArgs } from 'node:util';
import { loadModel } from '../io/node.js';
import { torchCode } from '../io/torch.js';

export const torchCodeHelp = `Usage: neurite torch-code MODEL.safetensors

Prints a Python module that builds the model as the plain torch.nn.Sequential PyTorch users write (Linear,
its activation module, Dropout) and loads the file's weights into it with load_state_dict(strict=True).
It needs only torch. Save it and import it:

  npx neurite torch-code iris.safetensors > iris_torch.py
  python3 -c "from iris_torch import model; print(model)"`;

/** `neurite torch-code MODEL`: the PyTorch code for a saved model, on stdout. */
export async function runTorchCode(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(torchCodeHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new Error(`torch-code: expected one model file (a .safetensors saved by neurite), got ${positionals.length}\n\n${torchCodeHelp}`);
  const path = positionals[0]!;
  // loading validates the whole file, so the printed code never describes a model that would not load
  const { model, description } = await loadModel(path, { backend: 'ts', compile: false });
  model.dispose();
  if (description.version === 1) {
    throw new Error(
      `torch-code: ${path} was saved by an older neurite, whose tensor names (layers.{i}) no plain nn.Sequential has. ` +
        'Save it again to get the new names: (await nn.loadModel(path)).save(path)',
    );
  }
  process.stdout.write(torchCode(description, path, { hasOptimizerState: description.optimizerState !== undefined }));
  return 0;
}
