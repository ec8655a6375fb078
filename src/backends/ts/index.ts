/**
 * The pure-TypeScript backend: readable, dependency-free, runs anywhere JavaScript runs, and is the
 * reference every other backend is tested against.
 */
import type { Backend } from '../backend.js';
import { TsModel } from './model.js';

export const tsBackend: Backend = {
  name: 'ts',
  createModel: (spec) => new TsModel(spec),
};

export { TsModel };
