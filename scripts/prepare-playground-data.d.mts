// Types of scripts/prepare-playground-data.mjs, for test/playground.test.ts.
import type { MnistData } from '../src/data/mnist.js';

export const SAMPLE_TRAIN_PER_CLASS: number;
export const SAMPLE_TEST_PER_CLASS: number;
export const SAMPLE_MAGIC: string;
export const SAMPLE_VERSION: number;
export const SAMPLE_PATH: string;
export function encodeSample(data: MnistData, perClass?: { train: number; test: number }): Uint8Array;
