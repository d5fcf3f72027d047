import { describe, expect, it } from 'vitest';
import { compact } from '../../src/reporters/compact.js';
import { escapeCommandData, escapeCommandProperty, github } from '../../src/reporters/github.js';
import { gitlab } from '../../src/reporters/gitlab.js';
import { escapeXmlAttribute, escapeXmlText, junit } from '../../src/reporters/junit.js';
import type { Finding } from '../../src/ground/types.js';
import { findAll, parseXml } from '../helpers/xml.js';
import { CTX, FINDINGS, sampleResult } from './sample-result.js';

const SUPPRESSED: Finding = { ...FINDINGS[0]!, fingerprint: 'suppressed', suppression: { kind: 'inSource', justification: 'rebuilt nightly' } };

function withSuppressed() {
  return { ...sampleResult(), suppressed: [SUPPRESSED] };
}

describe('github reporter', () => {
  it('writes one workflow command per finding, level by severity, columns only on one-line spans', () => {
    const lines = github(sampleResult(), CTX).trimEnd().split('\n');
    expect(lines).toEqual([
      '::error file=infra/my stack/template.yaml,line=3,col=3,endLine=3,endColumn=14,title=require-queue-dlq::SQS queue `OrdersQueue` has no dead-letter queue (RedrivePolicy is missing)',
      '::notice file=src/batch.ts,line=5,col=11,endLine=5,endColumn=92,title=prefer-batch-operation::PutItem called once per item in a loop; BatchWriteItem writes up to 25 items per call',
      '::error file=src/orders.ts,line=6,col=8,endLine=6,endColumn=87,title=no-sync-lambda-invoke::InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling)',
      '::warning file=src/workflow.ts,line=7,col=20,endLine=7,endColumn=106,title=require-idempotency-token::StartExecution without `name`: a redelivered message starts a second execution',
    ]);
    const multiLine = { ...FINDINGS[2]!, range: { start: { line: 6, column: 8 }, end: { line: 9, column: 2 } } };
    expect(github(sampleResult([multiLine]), CTX)).toBe(
      '::error file=src/orders.ts,line=6,endLine=9,title=no-sync-lambda-invoke::InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling)\n',
    );
  });

  it("escapes as the runner expects: %, CR and LF everywhere, ':' and ',' in properties", () => {
    expect(escapeCommandData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeCommandProperty('a:b,c%d\ne')).toBe('a%3Ab%2Cc%25d%0Ae');
    expect(escapeCommandData('esc \u001b[31m')).toBe('esc \uFFFD[31m');
    const evil = { ...FINDINGS[2]!, file: 'src/x,y:z.ts', message: 'done\n::warning file=a.ts::injected 100%' };
    expect(github(sampleResult([evil]), CTX)).toBe(
      '::error file=src/x%2Cy%3Az.ts,line=6,col=8,endLine=6,endColumn=87,title=no-sync-lambda-invoke::done%0A::warning file=a.ts::injected 100%25\n',
    );
  });

  it('leaves out suppressed findings, and lists errors only under --quiet', () => {
    expect(github(withSuppressed(), CTX)).toBe(github(sampleResult(), CTX));
    expect(github(sampleResult(), { ...CTX, quiet: true }).trimEnd().split('\n').map((l) => l.slice(0, l.indexOf(' ')))).toEqual(['::error', '::error']);
    expect(github(sampleResult([]), CTX)).toBe('');
  });
});

describe('gitlab reporter', () => {
  it('writes Code Quality issues with the fields GitLab reads, severities in its words', () => {
    const issues = JSON.parse(gitlab(withSuppressed(), CTX)) as Record<string, unknown>[];
    expect(issues).toEqual([
      {
        description: 'SQS queue `OrdersQueue` has no dead-letter queue (RedrivePolicy is missing)',
        check_name: 'require-queue-dlq',
        fingerprint: FINDINGS[0]!.fingerprint,
        severity: 'major',
        location: { path: 'infra/my stack/template.yaml', lines: { begin: 3 } },
      },
      expect.objectContaining({ check_name: 'prefer-batch-operation', severity: 'info', location: { path: 'src/batch.ts', lines: { begin: 5 } } }),
      expect.objectContaining({ check_name: 'no-sync-lambda-invoke', severity: 'major', location: { path: 'src/orders.ts', lines: { begin: 6 } } }),
      expect.objectContaining({ check_name: 'require-idempotency-token', severity: 'minor', location: { path: 'src/workflow.ts', lines: { begin: 7 } } }),
    ]);
    expect(gitlab(sampleResult([]), CTX)).toBe('[]\n');
  });
});

describe('compact reporter', () => {
  it('writes path:line:col: severity message [rule], one line each', () => {
    expect(compact(withSuppressed(), CTX)).toBe(
      [
        'infra/my stack/template.yaml:3:3: error SQS queue `OrdersQueue` has no dead-letter queue (RedrivePolicy is missing) [require-queue-dlq]',
        'src/batch.ts:5:11: note PutItem called once per item in a loop; BatchWriteItem writes up to 25 items per call [prefer-batch-operation]',
        'src/orders.ts:6:8: error InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling) [no-sync-lambda-invoke]',
        'src/workflow.ts:7:20: warning StartExecution without `name`: a redelivered message starts a second execution [require-idempotency-token]',
        '',
      ].join('\n'),
    );
    const twoLines = { ...FINDINGS[2]!, message: 'first\nsecond \u001b[2J' };
    expect(compact(sampleResult([twoLines]), CTX)).toBe('src/orders.ts:6:8: error first second \uFFFD[2J [no-sync-lambda-invoke]\n');
    expect(compact(sampleResult(), { ...CTX, color: true })).toContain('\u001b[31merror\u001b[39m');
  });
});

describe('junit reporter', () => {
  it('is well-formed XML: a suite per rule, a case per rule and file, a failure per finding', () => {
    const twice = [...FINDINGS, { ...FINDINGS[2]!, range: { start: { line: 7, column: 1 }, end: { line: 7, column: 5 } }, fingerprint: 'second' }];
    const root = parseXml(junit({ ...sampleResult(twice), suppressed: [SUPPRESSED] }, CTX));
    expect(root.name).toBe('testsuites');
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => s.attributes['name'])).toEqual(['no-sync-lambda-invoke', 'parse-error', 'prefer-batch-operation', 'require-idempotency-token', 'require-queue-dlq']);
    const cases = findAll(root, 'testcase').map((c) => `${c.attributes['classname']} ${c.attributes['name']} ${findAll(c, 'failure').length}`);
    expect(cases).toEqual([
      'no-sync-lambda-invoke src/orders.ts 2',
      'parse-error no findings 0',
      'prefer-batch-operation src/batch.ts 1',
      'require-idempotency-token src/workflow.ts 1',
      'require-queue-dlq infra/my stack/template.yaml 1',
    ]);
    expect(root.attributes).toMatchObject({ tests: '5', failures: '4', errors: '0' });
    const sync = suites[0]!;
    expect(sync.attributes).toMatchObject({ tests: '1', failures: '1' });
    const failures = findAll(sync, 'failure');
    expect(failures[0]!.attributes).toEqual({ type: 'error', message: '6:8 InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling)' });
    expect(failures[0]!.text).toContain('error at src/orders.ts:6:8 (finding 1 of 2 for this rule in this file)');
    expect(failures[0]!.text).toContain("help: Set InvocationType: 'Event', or hand the work to a queue or a state machine");
    expect(failures[0]!.text).toContain('related: client created here at src/clients.ts:3:23');
  });

  it('escapes markup, quotes, line breaks and characters XML cannot carry', () => {
    expect(escapeXmlText('a < b && c > d ]]>')).toBe('a &lt; b &amp;&amp; c &gt; d ]]&gt;');
    expect(escapeXmlAttribute('say "hi"\n\tnow\r')).toBe('say &quot;hi&quot;&#10;&#9;now&#13;');
    const evil = { ...FINDINGS[2]!, file: 'src/<&"\'>.ts', message: 'line one\r\nline "two" <b>&amp;</b> \u0000\u001b \uD800 end' };
    const xml = junit(sampleResult([evil]), CTX);
    const root = parseXml(xml);
    const testcase = findAll(root, 'testcase').find((c) => c.attributes['classname'] === 'no-sync-lambda-invoke')!;
    expect(testcase.attributes['name']).toBe('src/<&"\'>.ts');
    const failure = findAll(testcase, 'failure')[0]!;
    expect(failure.attributes['message']).toBe('6:8 line one\r\nline "two" <b>&amp;</b> \uFFFD\uFFFD \uFFFD end');
    expect(failure.text).toContain('line one\r\nline "two" <b>&amp;</b>');
  });

  it('has a passing case per rule on a clean run, and the same bytes whatever the input order', () => {
    const root = parseXml(junit(sampleResult([]), CTX));
    expect(root.attributes).toMatchObject({ tests: '5', failures: '0' });
    expect(findAll(root, 'failure')).toEqual([]);
    expect(junit(sampleResult([...FINDINGS].reverse()), CTX)).toBe(junit(sampleResult(), CTX));
  });
});

describe('the XML check of these tests', () => {
  const cases: [string, string][] = [
    ['unclosed tag', '<a><b></a>'],
    ['mismatched tag', '<a></b>'],
    ['raw < in text', '<a>1 < 2</a>'],
    ['raw & in text', '<a>this & that</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['unquoted attribute', '<a x=1/>'],
    ['< in attribute', '<a x="<"/>'],
    ['duplicate attribute', '<a x="1" x="2"/>'],
    ['two roots', '<a/><b/>'],
    ['control character', '<a>\u0001</a>'],
    ['reference to a control character', '<a>&#1;</a>'],
    ['missing space between attributes', '<a x="1"y="2"/>'],
  ];
  for (const [name, xml] of cases) {
    it(`rejects ${name}`, () => {
      expect(() => parseXml(xml)).toThrow();
    });
  }
  it('reads a well-formed document', () => {
    const root = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1&#10;2" y=\'&quot;\'><b>t&amp;u</b><![CDATA[<raw>]]></a>\n');
    expect(root.attributes).toEqual({ x: '1\n2', y: '"' });
    expect(root.children[0]!.text).toBe('t&u');
    expect(root.text).toBe('<raw>');
  });
});
