/**
 * The one TypeScript module every analysis uses: the copy bundled with ts-morph (the enums of
 * nodes produced by another TypeScript 6.0.x copy, e.g. typescript-eslint's, are identical).
 */
export { ts } from 'ts-morph';
