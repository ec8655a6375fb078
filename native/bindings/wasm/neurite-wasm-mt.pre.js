// Placed at the top of the threaded module's factory (--pre-js), before the pthread workers are started.
// In Node, start them from neurite-wasm-mt.worker.cjs beside this file: the package is "type": "module", so Node
// would read the .worker.js (CommonJS, as Emscripten writes it) as an ES module. Browsers keep Emscripten's
// default, new URL('neurite-wasm-mt.worker.js', import.meta.url), which bundlers understand.
if (typeof process == 'object' && typeof require == 'function' && !Module['locateFile']) {
  Module['locateFile'] = function(path) {
    return require('path').join(__dirname, path.replace(/\.worker\.js$/, '.worker.cjs'));
  };
}
