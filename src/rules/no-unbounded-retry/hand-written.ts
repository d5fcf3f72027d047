/**
 * Hand-written retries with no attempt limit: the retry loops and catch recursions found by
 * `src/code/retry-loops.ts` with nothing that counts attempts or bounds the elapsed time.
 */
import type { FileAnalysis } from '../../code/analysis.js';
import type { CodeReport } from '../rule.js';
import { findCatchRecursions, findCaughtRetryLoops, findRetryLoops, isRescheduled, recursionName } from '../../code/retry-loops.js';
import { describeRemoteCall } from '../../code/remote-calls.js';

const FAILURE = 'a persistent failure retries forever';

export function handWrittenRetries(analysis: FileAnalysis): CodeReport[] {
  const reports: CodeReport[] = [];
  const reportedLoops = new Set<unknown>();
  for (const r of findRetryLoops(analysis)) {
    // a `conditional` loop is bounded by its condition
    if (r.capped || reportedLoops.has(r.loop)) continue;
    reportedLoops.add(r.loop);
    reports.push({
      node: r.loop,
      message: `Retry loop around ${r.retried[0].text} has no attempt limit: ${FAILURE}`,
      related: [{ node: r.retried[0].call, label: 'retried call' }],
    });
  }
  // `do { res = await call().catch((e) => e); if (!(res instanceof Error)) return res; } while (true)`
  for (const r of findCaughtRetryLoops(analysis)) {
    if (r.capped || reportedLoops.has(r.loop)) continue;
    reportedLoops.add(r.loop);
    reports.push({
      node: r.loop,
      message: `Retry loop around ${describeRemoteCall(r.retried)} (its \`.catch\` returns the error, and the loop goes round while it gets one) has no attempt limit: ${FAILURE}`,
      related: [{ node: r.retried.call, label: 'retried call' }],
    });
  }
  for (const r of findCatchRecursions(analysis)) {
    if (r.capped || r.decided) continue;
    reports.push({
      node: r.selfCall,
      message: `\`${recursionName(r)}\` ${isRescheduled(r) ? 'reschedules' : 'calls'} itself from ${r.where} with no attempt limit around ${r.retried.text}: ${FAILURE}`,
      related: [{ node: r.retried.call, label: 'retried call' }],
    });
  }
  return reports;
}
