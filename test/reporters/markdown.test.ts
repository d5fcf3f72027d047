import { describe, expect, it } from 'vitest';
import { escapeMarkdown, markdown, MAX_FINDINGS } from '../../src/reporters/markdown.js';
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
    expect(plain).toContain('[no-sync-lambda-invoke](https://docs.example/rules/no-sync-lambda-invoke)');
    expect(plain).not.toContain('https://github.com/acme');
    const linked = markdown(sampleResult(), { ...CTX, sourceLinkBase: 'https://github.com/acme/shop/blob/abc/' });
    expect(linked).toMatch(/\[src\/[^\]]+:\d+:\d+\]\(https:\/\/github\.com\/acme\/shop\/blob\/abc\/src\/[^)]+#L\d+(-L\d+)?\)/);
  });

  it(`lists at most ${MAX_FINDINGS} findings and says how many more there are`, () => {
    const many = Array.from({ length: MAX_FINDINGS + 5 }, (_, i) => ({
      ...FINDINGS[0]!,
      range: { start: { line: i + 1, column: 1 }, end: { line: i + 1, column: 2 } },
      fingerprint: `f${i}`,
    }));
    const out = markdown(sampleResult(many), CTX);
    expect(out.split('\n').filter((l) => l.startsWith('| 🔴') || l.startsWith('| 🟡') || l.startsWith('| 🔵'))).toHaveLength(MAX_FINDINGS);
    expect(out).toContain('… and 5 more');
  });
});
