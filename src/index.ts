/** The Node entry: the whole API plus the Node-only data loaders; registers the native and WASM engines. */
export * from './api.js';
export * from './data/node.js';
