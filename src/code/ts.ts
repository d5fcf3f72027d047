/**
 * The one TypeScript module every analysis uses: the copy bundled with ts-morph (the enums of
 * nodes produced by another TypeScript 6.0.x copy, e.g. typescript-eslint's, are identical).
 */
import { ts as bundled } from 'ts-morph';

// A local alias rather than a re-export (`export { ts } from`): the test runner's module loader
// resolves a re-exported binding through the other module on every access, which made analysis
// several times slower under test than in the built CLI.
export import ts = bundled;
