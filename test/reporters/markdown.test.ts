import { describe, expect, it } from 'vitest';
import { codeSpan, escapeMarkdown, markdown, MAX_FINDINGS_PER_SECTION, MAX_MESSAGE_CHARS, messageMarkdown, SUMMARY_BUDGET_BYTES } from '../../src/reporters/markdown.js';
import { RULE_DEFS } from './sample-result.js';
import { CTX, FINDINGS, sampleResult } from './sample-result.js';

describe('markdown reporter', () => {
  it('matches the golden output', async () => {
    await expect(markdown(sampleResult(), CTX)).toMatchFileSnapshot('__golden__/report.md');
  });

  it('is deterministic whatever the input order', () => {
    expect(markdown(sampleResult([...FINDINGS].reverse()), CTX)).toBe(markdown(sampleResult(), CTX));
  });

  it('escapes Markdown and HTML in messages', () => {
    expect(escapeMarkdown('a|b *c* <img src=x> [l](u) `t`\nnext')).toBe('a\\|b \\*c\\* &lt;img src=x&gt; \\[l\\]\\(u\\) \\`t\\` next');
    const evil = FINDINGS.map((f, i) => (i === 0 ? { ...f, message: '| injected | <script> |' } : f));
    const out = markdown(sampleResult(evil), CTX);
    expect(out).toContain('\\| injected \\| &lt;script&gt; \\|');
    expect(out).not.toContain('<script>');
  });

  it('links rule docs, and locations only when given a source link base', () => {
    const plain = markdown(sampleResult(), CTX);
    expect(plain).toContain('[`no-sync-lambda-invoke`](https://docs.example/rules/no-sync-lambda-invoke)');
    expect(plain).not.toContain('https://github.com/acme');
    const linked = markdown(sampleResult(), { ...CTX, sourceLinkBase: 'https://github.com/acme/shop/blob/abc/' });
    expect(linked).toMatch(/\[`src\/[^\]]+:\d+:\d+`\]\(https:\/\/github\.com\/acme\/shop\/blob\/abc\/src\/[^)]+#L\d+(-L\d+)?\)/);
  });

  it('renders quoted identifiers, rule ids and locations as code, and keeps the rest escaped', () => {
    expect(messageMarkdown('queue `OrdersQueue` has no DLQ')).toBe('queue `OrdersQueue` has no DLQ');
    expect(messageMarkdown('waits for `a|b*<c>` (sync)')).toBe('waits for `a\\|b*<c>` \\(sync\\)');
    expect(messageMarkdown('an odd `backtick <b>')).toBe('an odd \\`backtick &lt;b&gt;');
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x')).toBe('`` `x ``');
    const out = markdown(sampleResult(), CTX);
    expect(out).toContain('| [`no-sync-lambda-invoke`](https://docs.example/rules/no-sync-lambda-invoke) |');
    expect(out).toContain('| `src/orders.ts:6:8` |');
    expect(out).toContain('waits for `orders-fn` to finish');
  });

  it('lists a finding under every best practice the scorecard counts it for', () => {
    const twoPractices = { ...FINDINGS[2]!, bestPractices: ['REL04-BP02', 'REL04-BP01'] as const };
    const rel05Only = { ...FINDINGS[1]!, rule: 'require-client-timeout', bestPractices: ['REL05-BP05'] as const, fingerprint: 'timeout' };
    const out = markdown(sampleResult([twoPractices as never, rel05Only as never]), CTX);
    const headings = out.split('\n').filter((l) => l.startsWith('### '));
    expect(headings.map((h) => /REL0\d-BP0\d/.exec(h)?.[0])).toEqual(['REL04-BP01', 'REL04-BP02', 'REL05-BP05']);
    const rows = out.split('\n').filter((l) => l.includes('`src/orders.ts:6:8`'));
    expect(rows).toHaveLength(2);
  });

  it(`lists at most ${MAX_FINDINGS_PER_SECTION} findings per best practice and says how many more there are, so every best practice keeps its section`, () => {
    const many = Array.from({ length: MAX_FINDINGS_PER_SECTION + 5 }, (_, i) => ({
      ...FINDINGS[0]!,
      range: { start: { line: i + 1, column: 1 }, end: { line: i + 1, column: 2 } },
      fingerprint: `f${i}`,
    }));
    const token = { ...FINDINGS[3]!, bestPractices: RULE_DEFS.token.meta.bestPractices };
    const out = markdown(sampleResult([...many, token]), CTX);
    const rows = out.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟡') || l.startsWith('| 🔵'));
    expect(rows).toHaveLength(MAX_FINDINGS_PER_SECTION + 1);
    expect(out).toContain('… and 5 more under this best practice');
    expect(out).toMatch(/### \[REL04-BP04 [^\n]*\n\n1 warning\n/);
  });

  it(`stays under ${SUMMARY_BUDGET_BYTES} bytes, cutting long messages and then every section alike`, () => {
    const long = 'x'.repeat(MAX_MESSAGE_CHARS * 3);
    const practices = [['REL04-BP01'], ['REL04-BP02'], ['REL04-BP03'], ['REL04-BP04'], ['REL05-BP03'], ['REL05-BP05'], []];
    const huge = Array.from({ length: 1400 }, (_, i) => ({
      ...FINDINGS[0]!,
      bestPractices: practices[i % practices.length],
      file: `infra/${'deep/'.repeat(80)}t${i}.yaml`,
      message: long,
      range: { start: { line: i + 1, column: 1 }, end: { line: i + 1, column: 2 } },
      fingerprint: `f${i}`,
    }));
    const out = markdown(sampleResult(huge as never), { ...CTX, sourceLinkBase: 'https://github.com/acme/shop/blob/abc/' });
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES);
    expect(out).not.toContain('x'.repeat(MAX_MESSAGE_CHARS));
    expect(out.split('\n').filter((l) => l.startsWith('### '))).toHaveLength(7);
    const more = [...out.matchAll(/… and (\d+) more under this best practice/g)].map((m) => Number(m[1]));
    expect(more).toHaveLength(7);
    // the cap was lowered below the default to fit, the same for every section
    expect(new Set(more)).toEqual(new Set([200 - MAX_FINDINGS_PER_SECTION / 2]));
  });
});
