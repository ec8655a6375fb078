// `node --import ./bench/lib/register-ts.mjs file.ts`: runs TypeScript in Node 20 without a build step or tsx,
// so the suite's child processes work from a root-only install (CI, the smoke test). See ts-hooks.mjs.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
