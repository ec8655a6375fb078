/**
 * The browser entry (dist/browser.js): the whole API plus the WASM engine, and nothing that imports node:*.
 * Models default to backend 'auto', which picks 'wasm' once `await nn.ready()` (or `nn.ready('wasm')`) has
 * instantiated the module, and the pure-TypeScript engine before that.
 */
import { registerBackend } from './backends/registry.js';
import { wasmProvider } from './backends/wasm.js';

registerBackend(wasmProvider);

export * from './api.js';
