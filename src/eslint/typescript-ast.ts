/**
 * The TypeScript AST of a file ESLint lints: the one typescript-eslint built when it was built by
 * a TypeScript whose syntax tree rel4lint reads (its own 6.0), else a parse of the file's text.
 *
 * typescript-eslint builds its AST with the project's TypeScript, which may be any version from
 * 4.8.4 up. Node kinds are numbers that change between versions (`SyntaxKind.Identifier` is 79 in
 * 5.0 and 80 in 6.0), so a tree of another version read with rel4lint's enums is misread, and
 * misread silently. A tree is reused only when the TypeScript that built it is identified and has
 * the same version line and the same syntax kinds and node flags as rel4lint's.
 */
import { createRequire } from 'node:module';
import { ts } from '../code/ts.js';
import { parseCode } from '../code/parse.js';

/** What typescript-eslint's parser services offer (typed or not); absent under other parsers. */
interface ParserServicesLike {
  esTreeNodeToTSNodeMap?: { get(node: unknown): unknown };
}

/** The parts of a TypeScript module that identify which one built a tree. */
interface TypeScriptLike {
  version: string;
  versionMajorMinor: string;
  SyntaxKind: Record<string, unknown>;
  NodeFlags: Record<string, unknown>;
  objectAllocator: { getSourceFileConstructor(): { prototype: object } };
}

function isTypeScript(value: unknown): value is TypeScriptLike {
  const v = value as Partial<TypeScriptLike> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.versionMajorMinor === 'string' &&
    typeof v.SyntaxKind === 'object' &&
    typeof v.NodeFlags === 'object' &&
    typeof v.objectAllocator?.getSourceFileConstructor === 'function'
  );
}

function sameEnum(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => a[k] === b[k]);
}

const own = ts as unknown as TypeScriptLike;

/** Whether rel4lint's detectors can read trees built by that TypeScript. */
function readsTreesOf(other: TypeScriptLike): boolean {
  if ((other as unknown) === ts) return true;
  return other.versionMajorMinor === own.versionMajorMinor && sameEnum(other.SyntaxKind, own.SyntaxKind) && sameEnum(other.NodeFlags, own.NodeFlags);
}

const moduleCache = createRequire(import.meta.url).cache;

/**
 * The loaded TypeScript module whose source files have this prototype, searched among the
 * CommonJS modules of the process (typescript-eslint loads TypeScript with `require`).
 */
function builderOf(prototype: object): TypeScriptLike | undefined {
  if (own.objectAllocator.getSourceFileConstructor().prototype === prototype) return own;
  for (const entry of Object.values(moduleCache)) {
    const exports: unknown = entry?.exports;
    if (isTypeScript(exports) && exports.objectAllocator.getSourceFileConstructor().prototype === prototype) return exports;
  }
  return undefined;
}

/** Per prototype of source file (one per TypeScript module): whether its trees can be read. */
const verdicts = new WeakMap<object, boolean>();

/** Whether a tree built by some TypeScript can be read as is; unknown builders cannot. */
function readable(sourceFile: object): boolean {
  const prototype = Object.getPrototypeOf(sourceFile) as object | null;
  if (prototype === null) return false;
  let verdict = verdicts.get(prototype);
  if (verdict === undefined) {
    const builder = builderOf(prototype);
    verdict = builder !== undefined && readsTreesOf(builder);
    verdicts.set(prototype, verdict);
  }
  return verdict;
}

/**
 * The TypeScript source file of the text ESLint lints: typescript-eslint's own when readable,
 * otherwise a parse of the text (under other parsers, or another TypeScript version).
 */
export function sourceFileFor(fileName: string, text: string, parserServices: unknown, program: unknown): ts.SourceFile {
  const services = parserServices as ParserServicesLike | undefined;
  const node = services?.esTreeNodeToTSNodeMap?.get(program) as { kind?: unknown; text?: unknown } | undefined;
  if (node && typeof node === 'object' && node.kind === ts.SyntaxKind.SourceFile && node.text === text && readable(node)) {
    return node as unknown as ts.SourceFile;
  }
  return parseCode(fileName, text);
}
