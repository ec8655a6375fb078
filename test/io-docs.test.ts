/**
 * The interop documentation, run as written: every block of docs/interop.md (TypeScript, Python with Debian's
 * torch, shell), in order, in one folder; and the README's "Save, load, export" section, whose Python is
 * exactly the code a PyTorch user runs to load a neurite file strictly. Predictions printed by the different
 * tools for the same input must agree.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../src/index.js';
import { expectClose } from './helpers/backends.js';
import { requireTorch } from './helpers/python.js';
import { codeBlocks, lastJson, section, SnippetRunner } from './helpers/snippets.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const folders: string[] = [];
const folder = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `neurite-${name}-`));
  folders.push(d);
  return d;
};
afterAll(() => folders.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('docs/interop.md', () => {
  const page = readFileSync(join(root, 'docs', 'interop.md'), 'utf8');

  it('every block runs in order, and the tools agree on every model', () => {
    requireTorch();
    const runner = new SnippetRunner(root, folder('interop-doc'));
    const blocks = codeBlocks(page);
    expect(blocks.length).toBeGreaterThan(12);
    let previous: string | undefined;
    for (const block of blocks) previous = runner.run(block, 'docs/interop.md', previous);

    const same = (a: string, b: string) => expectClose(`${a} vs ${b}`, lastJson(runner.outputs.get(a), a), lastJson(runner.outputs.get(b), b), { rtol: 1e-5, atol: 1e-6 });
    same('torch-iris', 'neurite-iris');
    same('onnxruntime-iris', 'neurite-iris');
    same('tfjs-iris', 'neurite-iris');
    same('neurite-from-torch', 'torch-made');
    same('neurite-onnx', 'torch-onnx');
    same('neurite-from-tfjs', 'tfjs-made');
  }, 600_000); // some twenty processes, several of them importing torch

  it('lists exactly the ONNX ops the importer has', () => {
    const sentence = /made of these ops: ([^.]+)\./.exec(page.replace(/\n/g, ' '))![1]!;
    const listed = sentence.replace(/ \([^)]*\)/g, '').replace(' followed by Add', '').split(/, | and /).map((s) => s.trim());
    expect(listed).toEqual([...nn.supportedOnnxOps]);
  });
});

describe("README: Save, load, export", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const saveSection = section(readme, '## Save, load, export');

  it("runs after the README's first network; its Python loads the file strictly in torch and predicts what neurite does", async () => {
    requireTorch();
    const dir = folder('readme');
    const runner = new SnippetRunner(root, dir);
    const firstNetwork = codeBlocks(section(readme, '## Your first network, in code')).filter((b) => b.lang === 'ts');
    const blocks = codeBlocks(saveSection);
    const ts = blocks.filter((b) => b.lang === 'ts');
    const python = blocks.filter((b) => b.lang === 'python');
    expect(firstNetwork).toHaveLength(1);
    expect(ts.length).toBeGreaterThan(0);
    expect(python).toHaveLength(1);
    // the section's TypeScript continues the first network's program (it uses its `model`)
    runner.run({ lang: 'ts', code: firstNetwork[0]!.code + ts.map((b) => b.code).join(''), line: ts[0]!.line }, 'README.md', undefined);
    const printed = lastJson(runner.run(python[0]!, 'README.md', undefined), 'README python');

    const row = JSON.parse(/torch\.tensor\((\[\[[^\]]*\]\])\)/.exec(python[0]!.code)![1]!) as number[][];
    const model = await nn.loadModel(join(dir, 'iris.safetensors'), { backend: 'ts' });
    expectClose('torch (README code) vs neurite', printed.flat(), (await model.predict(row)).data, { rtol: 1e-5, atol: 1e-6 });
    model.dispose();
  }, 300_000);

  it('links the interop page', () => {
    expect(saveSection).toContain('(docs/interop.md)');
  });
});
