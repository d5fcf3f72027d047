/**
 * The one TypeScript module every analysis uses: the copy of TypeScript that ts-morph bundles
 * (the enums of nodes produced by another TypeScript 6.0.x copy, e.g. typescript-eslint's, are
 * identical).
 *
 * It is loaded straight from the bundle's file rather than through `ts-morph`: importing
 * ts-morph also loads its project layer (about 4 MB of code, a third of the start-up time of
 * every process and worker thread), and the `ts` it exports is a namespace object whose every
 * member is a getter, paid on each `ts.isX(node)` in the per-node loops. The types are
 * ts-morph's own (`bundled-typescript.d.ts`).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bundle with `export =` types; compiled to createRequire
import bundled = require('@ts-morph/common/dist/typescript.js');

// A local alias rather than a re-export (`export { ts } from`): the test runner's module loader
// resolves a re-exported binding through the other module on every access, which made analysis
// several times slower under test than in the built CLI.
export import ts = bundled;
