/** What kind of input a file is, by its name alone. */

/** Extensions of the code files rel4lint analyses. */
export const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx'];

/** Extensions of the files that may be templates (their content decides). */
export const TEMPLATE_EXTENSIONS = ['.yaml', '.yml', '.json', '.template', '.tf'];

/** A TypeScript or JavaScript source file (declaration files are not: they hold no code that runs). */
export function isCodeFile(file: string): boolean {
  if (file.endsWith('.d.ts') || file.endsWith('.d.mts') || file.endsWith('.d.cts')) return false;
  return CODE_EXTENSIONS.some((ext) => file.endsWith(ext));
}
