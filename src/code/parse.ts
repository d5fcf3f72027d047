import { MAX_CODE_TOKENS } from '../ground/limits.js';
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

/** A file whose parse would take too long or too much memory (see `parseRefusal`). */
export class ParseCostError extends Error {
  override name = 'ParseCostError';
}

/**
 * Parses a code file. JSDoc is not parsed (faster, not needed). Parent pointers are set unless
 * `withParents` is false (a syntax check only needs the diagnostics). Throws `ParseCostError`
 * for a file the parser would need exponential time or too much memory for.
 */
export function parseCode(file: string, text: string, withParents = true): ts.SourceFile {
  const refused = parseRefusal(text, scriptKind(file));
  if (refused) throw new ParseCostError(refused);
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

/**
 * Token readings the parser may do beyond one per token before a file is refused: about half a
 * second of parsing, and a thousand times more than any file of real code needs.
 */
const MAX_EXTRA_READINGS = 1_000_000;


/**
 * Why the file is not parsed, or undefined: more tokens than `MAX_CODE_TOKENS`, or a parse that
 * would take time exponential in the file's size. After `async` in an expression
 * (`async function () {...}`, `async (...)`), the parser reads what follows once to see whether
 * it is an arrow function's parameter and once more for real: each such expression nested in
 * another doubles the reading of everything inside it, so thirty of them in a few hundred bytes
 * would take days. The tokens are read once here, counting how many times the parser would read
 * each (two to the power of the number of such expressions around it).
 */
function parseRefusal(text: string, kind: ts.ScriptKind): string | undefined {
  const speculation = text.includes('async');
  if (!speculation && text.length <= MAX_CODE_TOKENS) return undefined;
  const SK = ts.SyntaxKind;
  const variant = kind === ts.ScriptKind.TSX || kind === ts.ScriptKind.JSX ? ts.LanguageVariant.JSX : ts.LanguageVariant.Standard;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, variant, text);
  /** Open brackets (`{`, `(`, `[`, or a template's `${`), innermost last. */
  const brackets: ts.SyntaxKind[] = [];
  /** The open `async` expressions, innermost last: the bracket depth each started at, and the token that ends it. */
  const regions: { depth: number; end: ts.SyntaxKind }[] = [];
  /** After `async` in an expression: the token that will end it (`}` of a function body, `)`), once known. */
  let pending: ts.SyntaxKind | undefined;
  let previous: ts.SyntaxKind = SK.Unknown;
  let tokens = 0;
  let extra = 0;
  let deepest = 0;
  for (let token = scanner.scan(); token !== SK.EndOfFileToken; token = scanner.scan()) {
    if (++tokens > MAX_CODE_TOKENS) {
      return `the file has more than ${MAX_CODE_TOKENS.toLocaleString('en-US')} tokens: its syntax tree would take more memory than the analysis allows a file, so it is not analysed`;
    }
    // a slash where an expression starts begins a regular expression (whose text may hold quotes)
    if ((token === SK.SlashToken || token === SK.SlashEqualsToken) && !ENDS_EXPRESSION.has(previous)) token = scanner.reScanSlashToken();
    if (regions.length > 0) {
      extra += regions.length < 40 ? 2 ** regions.length - 1 : Number.MAX_SAFE_INTEGER;
      if (extra > MAX_EXTRA_READINGS) {
        return `async function expressions are nested ${deepest} levels deep: the TypeScript parser reads each one twice, and each one nested in it doubles that, so parsing would take time exponential in their depth; the file is not analysed`;
      }
    }
    if (token === SK.AsyncKeyword && EXPRESSION_EXPECTED.has(previous)) {
      pending = SK.CloseParenToken;
    } else if (pending !== undefined && token === SK.FunctionKeyword) {
      pending = SK.CloseBraceToken;
    } else if (token === SK.OpenBraceToken || token === SK.OpenParenToken || token === SK.OpenBracketToken || token === SK.TemplateHead) {
      // an `async (...)` starts at its parenthesis, an `async function` at its parameters
      if (pending !== undefined && (token === SK.OpenParenToken || pending === SK.CloseBraceToken)) {
        regions.push({ depth: brackets.length, end: pending });
        deepest = Math.max(deepest, regions.length);
      }
      pending = undefined;
      brackets.push(token);
    } else if (token === SK.CloseBraceToken || token === SK.CloseParenToken || token === SK.CloseBracketToken) {
      if (token === SK.CloseBraceToken && brackets[brackets.length - 1] === SK.TemplateHead && scanner.reScanTemplateToken(false) === SK.TemplateMiddle) {
        // the template goes on to its next `${`
        previous = SK.TemplateMiddle;
        continue;
      }
      brackets.pop();
      // an `async function` expression ends with its body, an `async (...)` with its parenthesis
      while (regions.length > 0) {
        const top = regions[regions.length - 1]!;
        if (top.depth > brackets.length || (top.depth === brackets.length && top.end === token)) regions.pop();
        else break;
      }
    } else if (pending !== undefined && token !== SK.AsteriskToken && token !== SK.Identifier) {
      pending = undefined;
    }
    previous = token;
  }
  return undefined;
}

/** Tokens that end an expression: a slash after one divides, elsewhere it starts a regular expression. */
const ENDS_EXPRESSION = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.PrivateIdentifier,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateTail,
  ts.SyntaxKind.CloseParenToken,
  ts.SyntaxKind.CloseBracketToken,
  ts.SyntaxKind.CloseBraceToken,
  ts.SyntaxKind.PlusPlusToken,
  ts.SyntaxKind.MinusMinusToken,
  ts.SyntaxKind.ThisKeyword,
  ts.SyntaxKind.SuperKeyword,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
]);

/** Tokens after which an expression is expected: an `async` there starts an expression (elsewhere, a declaration or a method). */
const EXPRESSION_EXPECTED = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.OpenParenToken,
  ts.SyntaxKind.OpenBracketToken,
  ts.SyntaxKind.CommaToken,
  ts.SyntaxKind.ColonToken,
  ts.SyntaxKind.QuestionToken,
  ts.SyntaxKind.EqualsGreaterThanToken,
  ts.SyntaxKind.DotDotDotToken,
  ts.SyntaxKind.ExclamationToken,
  ts.SyntaxKind.ReturnKeyword,
  ts.SyntaxKind.AwaitKeyword,
  ts.SyntaxKind.YieldKeyword,
  ts.SyntaxKind.ThrowKeyword,
  ts.SyntaxKind.CaseKeyword,
  ts.SyntaxKind.TypeOfKeyword,
  ts.SyntaxKind.VoidKeyword,
  ts.SyntaxKind.NewKeyword,
  ts.SyntaxKind.InKeyword,
  ts.SyntaxKind.OfKeyword,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ...Array.from({ length: ts.SyntaxKind.LastBinaryOperator - ts.SyntaxKind.FirstBinaryOperator + 1 }, (_, i) => (ts.SyntaxKind.FirstBinaryOperator + i) as ts.SyntaxKind),
]);
