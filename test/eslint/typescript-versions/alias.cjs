/**
 * Preloaded (`node --require`) to give typescript-eslint another TypeScript, as a project that
 * depends on that version does: `typescript` required from an @typescript-eslint package resolves
 * to the package named by REL4_TEST_TYPESCRIPT (an npm alias such as `typescript-5.0`). Everything
 * else, rel4lint included, keeps resolving `typescript` as usual.
 */
'use strict';
const Module = require('node:module');

const target = process.env.REL4_TEST_TYPESCRIPT;
if (target && target !== 'typescript') {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const fromTypescriptEslint = parent && typeof parent.filename === 'string' && /[\\/]node_modules[\\/]@typescript-eslint[\\/]/.test(parent.filename);
    if (fromTypescriptEslint && (request === 'typescript' || request.startsWith('typescript/'))) {
      request = target + request.slice('typescript'.length);
    }
    return resolve.call(this, request, parent, ...rest);
  };
}
