/**
 * HCL2 (Terraform) parsing: a thin wrapper over web-tree-sitter and the Terraform grammar.
 *
 * The parser is WebAssembly and initialises asynchronously, once per process (`initHcl`); after
 * that, parsing a file is synchronous (`withHclTree`). Trees live in WebAssembly memory and are
 * freed when the callback returns, so callers must not keep nodes beyond it.
 */
import { readFileSync } from 'node:fs';
import type { Node, Parser } from 'web-tree-sitter';

export type HclNode = Node;

/**
 * The Terraform grammar of tree-sitter-hcl compiled to WebAssembly, kept in the package
 * (`vendor/tree-sitter-hcl`, with its licence): the grammar's npm package would build a native
 * binding at install time that rel4lint never loads. Two levels up from src/iac and dist/iac.
 */
const GRAMMAR = new URL('../../vendor/tree-sitter-hcl/tree-sitter-terraform.wasm', import.meta.url);

let parser: Parser | undefined;
let initialising: Promise<void> | undefined;

/** Initialises the HCL parser (idempotent; concurrent calls share one initialisation). */
export function initHcl(): Promise<void> {
  initialising ??= (async () => {
    // loaded here: a scan without Terraform files never loads the WebAssembly runtime
    const { Language, Parser } = await import('web-tree-sitter');
    await Parser.init();
    const wasm = readFileSync(GRAMMAR);
    const language = await Language.load(wasm);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
  })();
  return initialising.catch((err: unknown) => {
    initialising = undefined;
    throw err;
  });
}

/** True once `initHcl` has completed. */
export function hclReady(): boolean {
  return parser !== undefined;
}

export interface HclSyntaxError {
  message: string;
  /** 0-based UTF-16 offset. */
  offset: number;
}

const CLOSERS = new Set(['}', ']', ')', '"']);

/** The first syntax error of a tree (an `ERROR` node or a node the parser had to insert), if any. */
function firstError(root: Node): HclSyntaxError | undefined {
  if (!root.hasError) return undefined;
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.isMissing) {
      // a missing closing token is worth naming; other inserted tokens are recovery artefacts
      const message = CLOSERS.has(node.type) ? `missing '${node.type}'` : 'invalid expression';
      return { message, offset: node.startIndex };
    }
    if (node.isError) {
      const snippet = node.text.split('\n')[0]!.trim().slice(0, 40);
      return { message: snippet ? `unexpected '${snippet}'` : 'unexpected input', offset: node.startIndex };
    }
    if (!node.hasError) continue;
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
  return { message: 'syntax error', offset: 0 };
}

/**
 * Parses `text` and calls `fn` with the root node (`config_file`) and the first syntax error.
 * Throws when `initHcl` has not completed.
 */
export function withHclTree<T>(text: string, fn: (root: Node, error: HclSyntaxError | undefined) => T): T {
  if (!parser) throw new Error('the HCL parser is not initialised (call initHcl() first)');
  const tree = parser.parse(text);
  if (!tree) throw new Error('the HCL parser returned no tree');
  try {
    return fn(tree.rootNode, firstError(tree.rootNode));
  } finally {
    tree.delete();
  }
}

/** Named children of a node, without comments. */
export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

/** The text of a string literal's literal parts with HCL escapes decoded. */
export function unescapeHcl(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{/g, (match, escape: string | undefined) => {
    if (match === '$${') return '${';
    if (match === '%%{') return '%{';
    switch (escape![0]) {
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u':
      case 'U':
        return String.fromCodePoint(parseInt(escape!.slice(1), 16));
      default:
        return escape!;
    }
  });
}
