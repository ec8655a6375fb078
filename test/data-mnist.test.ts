import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../src/data/mnist.js';

/**
 * The real Fashion-MNIST from the Debian package dataset-fashion-mnist. CI installs the package; on a machine
 * without it this test is reported as skipped (never as passed).
 */
describe('Fashion-MNIST from ' + FASHION_MNIST_DIR, () => {
  it.runIf(existsSync(FASHION_MNIST_DIR))('has 60000 + 10000 images of 784 pixels in [0, 1] and balanced labels', () => {
    const d = loadFashionMnist();
    expect(d.train.x.shape).toEqual([60000, 784]);
    expect(d.test.x.shape).toEqual([10000, 784]);
    expect(d.imageShape).toEqual([28, 28]);
    expect(d.train.labels.length).toBe(60000);
    expect(d.test.labels.length).toBe(10000);
    for (const set of [d.train, d.test]) {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const v of set.x.data) {
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
      // Fashion-MNIST's mean pixel is 0.286 (72.9 / 255): a swapped or mis-scaled file would miss it.
      expect(sum / set.x.size).toBeGreaterThan(0.27);
      expect(sum / set.x.size).toBeLessThan(0.3);
    }
    const perClass = (labels: Int32Array) => {
      const c = new Array<number>(10).fill(0);
      for (const l of labels) c[l]!++;
      return c;
    };
    expect(perClass(d.train.labels)).toEqual(new Array(10).fill(6000));
    expect(perClass(d.test.labels)).toEqual(new Array(10).fill(1000));
  });
});
