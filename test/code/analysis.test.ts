import { describe, it, expect } from 'vitest';
import { parseCode } from '../../src/code/parse.js';
import { FileAnalysis } from '../../src/code/analysis.js';
import { ts } from '../../src/code/ts.js';
import { walk } from '../../src/code/walk.js';

function analyse(text: string) {
  const analysis = new FileAnalysis(parseCode('f.ts', text));
  const ident = (name: string, nth = 0): ts.Identifier => {
    const found: ts.Identifier[] = [];
    walk(analysis.sourceFile, (n) => {
      if (ts.isIdentifier(n) && n.text === name) found.push(n);
    });
    return found[found.length - 1 - nth];
  };
  return { analysis, ident };
}

describe('FileAnalysis', () => {
  it('resolves imports, requires, destructuring and aliases to module references', () => {
    const { analysis, ident } = analyse(
      [
        "import * as L from '@aws-sdk/client-lambda';",
        "const AWS = require('aws-sdk');",
        'const { SQS: Queue } = AWS;',
        'const Alias = L.InvokeCommand;',
        'use(Queue, Alias);',
      ].join('\n'),
    );
    expect(analysis.origin(ident('Queue'))).toEqual({ kind: 'module', ref: { module: 'aws-sdk', path: ['SQS'] } });
    expect(analysis.origin(ident('Alias'))).toEqual({ kind: 'module', ref: { module: '@aws-sdk/client-lambda', path: ['InvokeCommand'] } });
  });

  it('follows a client assigned once after its declaration, including class members', () => {
    const { analysis, ident } = analyse(
      [
        "import { LambdaClient } from '@aws-sdk/client-lambda';",
        'let client;',
        'client = new LambdaClient({});',
        'class G { private c = new LambdaClient({}); m() { return this.c; } }',
        'use(client);',
      ].join('\n'),
    );
    expect(analysis.origin(ident('client'))).toMatchObject({ kind: 'instance', ref: { module: '@aws-sdk/client-lambda', path: ['LambdaClient'] } });
  });

  it('treats reassigned variables and parameters as unknown values', () => {
    const { analysis, ident } = analyse(
      [
        "let type = 'RequestResponse';",
        "if (Math.random() > 0.5) type = 'Event';",
        'let n = 0;',
        'n++;',
        "const fixed = 'Event';",
        "function f(p = 'a') { p = 'b'; return p; }",
        'use(type, n, fixed);',
      ].join('\n'),
    );
    expect(analysis.valueOf(ident('type'))).toBeUndefined();
    expect(analysis.valueOf(ident('n'))).toBeUndefined();
    expect(analysis.valueOf(ident('p'))).toBeUndefined();
    expect(analysis.valueOf(ident('fixed'))?.getText()).toBe("'Event'");
  });

  it('picks the innermost declaration in scope (shadowing)', () => {
    const { analysis, ident } = analyse(
      ["const v = 'outer';", "function f() { const v = 'inner'; return v; }", 'use(v);'].join('\n'),
    );
    expect(analysis.valueOf(ident('v'))?.getText()).toBe("'outer'");
    expect(analysis.valueOf(ident('v', 1))?.getText()).toBe("'inner'");
  });

  it('walks trees nested thousands of levels deep without recursion', () => {
    // a comma chain parses into binary expressions nested 20,000 levels deep (as in minified bundles)
    const text = `x = (${Array.from({ length: 20_000 }, (_, i) => `a${i}`).join(',')});\n`;
    const analysis = new FileAnalysis(parseCode('deep.js', text));
    expect(analysis.calls).toEqual([]);
  });
});
