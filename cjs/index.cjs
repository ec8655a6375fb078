'use strict';
// neurite's CommonJS entry is its ES module build itself (Node >= 20.19 can require() an ES module), not a
// second copy: require('neurite') and import 'neurite' share one Tensor class and one backend registry.
module.exports = require('../dist/index.js');
