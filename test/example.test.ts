/**
 * The Fashion-MNIST example's core (config → train → result) on a small subset: it must learn, save a model
 * that loads back with the same test accuracy, and draw a well-formed SVG. Needs the real data set: a machine
 * without it fails here with the command that installs it (CI installs it).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { FASHION_MNIST_DIR } from '../src/data/mnist.js';
import { defaultConfig, trainFashionMnist } from '../examples/fashion-mnist.js';
import { chartGrid, formatTick, lineChart } from '../examples/svg-plot.js';

const out = mkdtempSync(join(tmpdir(), 'neurite-example-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Throws unless `svg` is one <svg> element with properly nested tags (an XML well-formedness check for our output). */
function checkWellFormedSvg(svg: string): void {
  const body = svg.replace(/^<\?xml[^?]*\?>\s*/, '');
  if (!body.startsWith('<svg ')) throw new Error('the document does not start with <svg');
  const stack: string[] = [];
  let roots = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>|<|>/g)) {
    if (m[0] === '<' || m[0] === '>') throw new Error(`a stray "${m[0]}" at offset ${m.index} (unescaped text or a broken tag)`);
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}> at offset ${m.index}`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name!);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length) throw new Error(`unclosed tags: ${stack.join(' > ')}`);
  if (roots !== 1) throw new Error(`${roots} root elements, expected 1`);
}

describe('examples/fashion-mnist.ts', () => {
  it('learns from 2,000 training images in 2 epochs, saves the model and draws the curves', async () => {
    if (!existsSync(FASHION_MNIST_DIR)) {
      throw new Error(`Fashion-MNIST is not installed at ${FASHION_MNIST_DIR}: run \`apt-get install dataset-fashion-mnist\``);
    }
    const lines: string[] = [];
    const result = await trainFashionMnist({
      ...defaultConfig,
      trainLimit: 2000,
      epochs: 2,
      outputDir: out,
      publishCurvesTo: undefined,
      log: (line) => lines.push(line),
    });

    expect(result.testAccuracy, lines.join('\n')).toBeGreaterThan(0.7);
    expect(result.history.epoch).toEqual([0, 1]);
    expect(result.history.history.val_accuracy).toHaveLength(2);
    expect(result.samplesPerSecond.every((r) => Number.isFinite(r) && r > 0)).toBe(true);
    expect(lines.filter((l) => /^epoch +\d+\/2 +loss /.test(l))).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('test accuracy: '))).toBe(true);

    // the saved file is the trained model: loaded back (with its standardisation statistics) it scores the same
    expect(statSync(result.modelPath).size).toBeGreaterThan((784 * 256 + 256 * 128 + 128 * 10) * 4);
    const loaded = await nn.loadModel(result.modelPath, { backend: 'ts' });
    const stats = loaded.extras.standardization!;
    expect(stats.mean).toHaveLength(784);
    expect(loaded.extras.classNames).toHaveLength(10);
    const test = nn.loadFashionMnist().test;
    const x = nn.standardScaler().fromJSON({ kind: 'standard', mean: stats.mean, std: stats.std }).transform(test.x);
    const again = await loaded.evaluate(x, test.labels);
    expect(again.accuracy).toBeCloseTo(result.testAccuracy, 3);

    const svg = readFileSync(result.curvesPath, 'utf8');
    checkWellFormedSvg(svg);
    expect(svg.match(/<polyline /g)).toHaveLength(4); // loss and accuracy, training and validation
    expect(svg).toContain(`test accuracy ${(result.testAccuracy * 100).toFixed(2)} %`);
  }, 180_000);

  it('says how to install the data set when it is missing', () => {
    expect(() => nn.loadFashionMnist(join(out, 'no-such-dir'))).toThrow(/apt-get install dataset-fashion-mnist/);
  });
});

describe('the SVG check used above', () => {
  it('rejects broken markup', () => {
    expect(() => checkWellFormedSvg('<svg a="1"><g></svg>')).toThrow(/closes/);
    expect(() => checkWellFormedSvg('<svg a="1"><text>a < b</text></svg>')).toThrow(/stray/);
    expect(() => checkWellFormedSvg('<svg a="1"></svg><svg a="2"></svg>')).toThrow(/2 root/);
    expect(() => checkWellFormedSvg('<svg a="1"><rect x="1"/></svg>')).not.toThrow();
  });
});

describe('examples/svg-plot.ts', () => {
  it('escapes text, labels log axes by decades and leaves out points a log axis cannot show', () => {
    const svg = lineChart({
      title: 'a <b> & "c"',
      xLabel: 'batch',
      yLabel: 'samples/s',
      xLog: true,
      yLog: true,
      series: [{ name: "x's", points: [[1, 2000], [16, 30_000], [1024, 300_000], [0, 5], [64, Number.NaN]] }],
    });
    checkWellFormedSvg(svg);
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg).toContain('x&apos;s');
    for (const label of ['>1</text>', '>10</text>', '>100</text>', '>1000</text>', '>10k</text>', '>1M</text>']) expect(svg).toContain(label);
    expect(svg.match(/<circle /g)).toHaveLength(3); // x = 0 and y = NaN are dropped
  });

  it('puts charts side by side and refuses nonsense layouts', () => {
    const chart = { title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[1, 0.5], [2, 0.25]] as [number, number][] }] };
    const svg = chartGrid([chart, chart, chart], 2, 'three');
    checkWellFormedSvg(svg);
    expect(svg).toContain('width="960" height="670"'); // 2 columns × 480, title 30 + 2 rows × 320
    expect(() => chartGrid([], 2)).toThrow(/at least one chart/);
    expect(() => chartGrid([chart], 0)).toThrow(/columns/);
    expect([formatTick(0), formatTick(0.25), formatTick(12_000), formatTick(3_400_000)]).toEqual(['0', '0.25', '12k', '3.4M']);
  });
});
