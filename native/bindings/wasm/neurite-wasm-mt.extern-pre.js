// Placed before the threaded module's factory (--extern-pre-js). Emscripten 3.1.6's Node code paths call
// require() and read __dirname, which an ES module does not have; Node >= 20.16 hands out createRequire without an
// import statement, so browsers and bundlers see nothing Node-specific here. In a browser both stay undefined and
// those code paths are never taken.
var require = typeof process == 'object' && typeof process.getBuiltinModule == 'function'
  ? process.getBuiltinModule('module').createRequire(import.meta.url) : undefined;
var __dirname = require ? require('path').dirname(require('url').fileURLToPath(import.meta.url)) : '';
