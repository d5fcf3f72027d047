#!/usr/bin/env node
/**
 * Writes the bad-input set of the robustness tests into a directory (large files are generated,
 * never committed):
 *
 *   node scripts/gen-bad-inputs.js <dir>
 *
 * Layout: `good/` holds two files with one known finding each (a code file and a template); each
 * `cases/<name>/` holds one kind of bad input. Cases that can hold a finding put it on a known
 * line, so a test can check that the file was analysed and located correctly. Prints the list of
 * case names as JSON.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node scripts/gen-bad-inputs.js <dir>');
  process.exit(2);
}

/** A code file whose line 3 has a synchronous Lambda invocation. */
const CODE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  "export const handler = async () => lambda.send(new InvokeCommand({ FunctionName: 'tax' }));",
  '',
].join('\n');

/** A template whose line 3 declares a queue without a dead-letter queue. */
const TEMPLATE = ['AWSTemplateFormatVersion: 2010-09-09', 'Resources:', '  WorkQueue:', '    Type: AWS::SQS::Queue', ''].join('\n');

const cases = [];

function write(rel, content) {
  const full = path.join(dir, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}

function kase(name, files) {
  cases.push(name);
  mkdirSync(path.join(dir, 'cases', name), { recursive: true });
  for (const [file, content] of Object.entries(files)) write(path.join('cases', name, file), content);
}

write('good/good.ts', CODE);
write('good/good.yaml', TEMPLATE);

// Billion laughs: nine levels of ten aliases each.
const bomb = ['AWSTemplateFormatVersion: 2010-09-09', 'Metadata:', '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
for (let i = 1; i < 10; i++) bomb.push(`  a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
bomb.push('Resources:', '  WorkQueue:', '    Type: AWS::SQS::Queue', '');
kase('alias-bomb', { 'bomb.yaml': bomb.join('\n') });

// 200 levels of nesting in all (the loaders' limit), next to a finding at a known line (3); and
// 1,000 levels, over the limit.
{
  const yaml = (depth) => {
    const lines = ['AWSTemplateFormatVersion: 2010-09-09', 'Resources:', '  WorkQueue:', '    Type: AWS::SQS::Queue', 'Metadata:'];
    for (let i = 0; i < depth - 1; i++) lines.push(`${' '.repeat(2 * (i + 1))}k${i}:`);
    lines.push(`${' '.repeat(2 * depth)}leaf`, '');
    return lines.join('\n');
  };
  // objects and arrays alternate
  const nested = (depth) => (depth === 0 ? '1' : depth % 2 ? `[${nested(depth - 1)}]` : `{"k":${nested(depth - 1)}}`);
  const json = (depth) => `{\n"Resources": {\n"WorkQueue": { "Type": "AWS::SQS::Queue" }\n},\n"Metadata": ${nested(depth - 1)}\n}\n`;
  let expr = "lambda.send(new InvokeCommand({ FunctionName: 'tax' }))";
  for (let i = 0; i < 200; i++) expr = i % 2 ? `(async () => { return ${expr}; })()` : `[{ v: ${expr} }]`;
  const ts = `${CODE.split('\n').slice(0, 2).join('\n')}\nexport const handler = async () => ${expr};\n`;
  kase('nesting', { 'deep.yaml': yaml(200), 'deep.json': json(200), 'deep.ts': ts });
  kase('nesting-over-limit', { 'deeper.yaml': yaml(1000), 'deeper.json': json(1000) });
}

// A 20 MB template: over the default 8 MiB limit.
{
  const queue = (i) => `  Queue${i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: queue-${i}\n      VisibilityTimeout: 60\n`;
  const parts = ['AWSTemplateFormatVersion: 2010-09-09\nResources:\n'];
  let size = parts[0].length;
  for (let i = 0; size < 20 * 1024 * 1024; i++) {
    const q = queue(i);
    parts.push(q);
    size += q.length;
  }
  // and a large data file that is not a template: skipped without a finding
  const data = `[${Array.from({ length: 1_000_000 }, (_, i) => i).join(',')}]`;
  kase('huge-template', { 'huge.yaml': parts.join(''), 'data.json': data.repeat(Math.ceil((9 * 1024 * 1024) / data.length)) });
}

// Binary content named like a template (a deterministic byte pattern with NULs).
{
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 256;
  kase('binary', { 'image.yaml': bytes });
}

// Latin-1 bytes (é = 0xE9, not valid UTF-8) in otherwise ASCII files: still analysed.
kase('latin1', {
  'latin1.yaml': Buffer.from(TEMPLATE.replace('\n', ' # caf\u00e9\n'), 'latin1'),
  'latin1.ts': Buffer.from(CODE.replace("'tax'", "'tax' /* caf\u00e9 */"), 'latin1'),
});

// UTF-16 with and without a byte order mark.
{
  const le = Buffer.from(TEMPLATE, 'utf16le');
  const be = Buffer.from(le).swap16();
  kase('utf16', {
    'le-bom.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), le]),
    'be-bom.yaml': Buffer.concat([Buffer.from([0xfe, 0xff]), be]),
    'le.yaml': le,
    'be.yaml': be,
    'le-bom.ts': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CODE, 'utf16le')]),
    'le.ts': Buffer.from(CODE, 'utf16le'),
  });
}

// A UTF-8 byte order mark, and CRLF line endings: analysed, findings on the right lines.
kase('utf8-bom', { 'bom.yaml': `\ufeff${TEMPLATE}`, 'bom.ts': `\ufeff${CODE}`, 'bom.json': `\ufeff{"Resources":{"WorkQueue":{"Type":"AWS::SQS::Queue"}}}` });
kase('crlf', { 'crlf.yaml': TEMPLATE.replace(/\n/g, '\r\n'), 'crlf.ts': CODE.replace(/\n/g, '\r\n') });

// Symbolic links: a loop between two links, a directory linking to itself, and a broken link.
kase('symlink-loop', {});
symlinkSync('ping.yaml', path.join(dir, 'cases', 'symlink-loop', 'pong.yaml'));
symlinkSync('pong.yaml', path.join(dir, 'cases', 'symlink-loop', 'ping.yaml'));
mkdirSync(path.join(dir, 'cases', 'symlink-loop', 'sub'));
symlinkSync('..', path.join(dir, 'cases', 'symlink-loop', 'sub', 'up'));
kase('broken-symlink', {});
symlinkSync('missing.ts', path.join(dir, 'cases', 'broken-symlink', 'gone.ts'));

// A file the test makes unreadable (by injecting the read failure: root ignores permissions).
kase('unreadable', { 'locked.yaml': TEMPLATE, 'locked.ts': CODE });

// 5 MB of minified JavaScript on one line, with a synchronous invocation near the end.
{
  const chunk = 'var a0=function(n){return n+1},b0={k:"v",n:[1,2,3]};if(a0(b0.n[0])>2){b0.k="w"}else{b0.k=String(a0(1))};';
  const body = chunk.repeat(Math.ceil((5 * 1024 * 1024) / chunk.length));
  const tail = 'const{LambdaClient:L,InvokeCommand:I}=require("@aws-sdk/client-lambda");const c=new L({});exports.handler=async()=>c.send(new I({FunctionName:"tax"}));';
  kase('minified', { 'bundle.min.js': `${body}${tail}\n` });
}

kase('empty', { 'empty.ts': '', 'empty.js': '', 'empty.yaml': '', 'empty.json': '' });

// An expression nested deeper than the TypeScript parser's recursion can follow (its stack
// overflows from about 5,000 parentheses with Node's default stack; test runners may have more).
kase('deep-expression', { 'parens.ts': `export const x = ${'('.repeat(50_000)}1${')'.repeat(50_000)};\n` });

console.log(JSON.stringify(cases));
