/**
 * The one TypeScript module every analysis uses: the `typescript` package rel4lint depends on
 * (6.0.x; one copy in a project whose own TypeScript is also 6.0, as npm then installs it once).
 *
 * Loaded as CommonJS through `require` (the package's only form), so that the ESLint plugin and
 * typescript-eslint share the module instance when they resolve the same file.
 */
import { preload } from '../ground/code-cache.js';

// compiled with the code V8 made for it on an earlier run, where Node.js keeps no such cache itself
preload(import.meta.url, 'typescript');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS package with `export =` types; compiled to createRequire
import typescript = require('typescript');

// A local alias rather than a re-export (`export { ts } from`): the test runner's module loader
// resolves a re-exported binding through the other module on every access, which made analysis
// several times slower under test than in the built CLI.
export import ts = typescript;
