import type { OptionKeys } from '../errors.js';
import type { ModelExtras } from './description.js';

/** What model.save() and serializeModel() take: the extras to store, and whether to keep the optimizer's state. */
export interface SaveOptions extends ModelExtras {
  /** also store the optimizer's state (moments, step) so training resumes exactly where it stopped */
  includeOptimizer?: boolean;
}

export const saveOptionKeys: OptionKeys<SaveOptions> = { includeOptimizer: true, classNames: true, standardization: true };
