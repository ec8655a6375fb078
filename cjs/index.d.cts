// Types of the CommonJS entry: those of the ES module it re-exports.
export * from '../dist/index.js';
