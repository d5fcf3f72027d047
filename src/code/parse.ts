import { ts } from './ts.js';

const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
  '.jsx': ts.ScriptKind.JSX,
};

function scriptKind(file: string): ts.ScriptKind {
  const dot = file.lastIndexOf('.');
  return SCRIPT_KINDS[file.slice(dot)] ?? ts.ScriptKind.TS;
}

export interface SyntaxProblem {
  message: string;
  offset: number;
}

/**
 * Parses a code file. JSDoc is not parsed (faster, not needed). Parent pointers are set unless
 * `withParents` is false (a syntax check only needs the diagnostics).
 */
export function parseCode(file: string, text: string, withParents = true): ts.SourceFile {
  return ts.createSourceFile(
    file,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    withParents,
    scriptKind(file),
  );
}

/** The first syntax error of a parsed file, if any. */
export function firstSyntaxProblem(sf: ts.SourceFile): SyntaxProblem | undefined {
  const diagnostics = (sf as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics;
  const first = diagnostics?.[0];
  if (!first) return undefined;
  return { message: ts.flattenDiagnosticMessageText(first.messageText, ' '), offset: first.start ?? 0 };
}
