import type { CodeReport, Rule } from '../../core/types.js';
import { handWrittenRetries } from './hand-written.js';
import { libraryReports, sdkReports } from './configured.js';

export interface NoUnboundedRetryOptions {
  maxSdkAttempts: number;
}

const rule: Rule<NoUnboundedRetryOptions> = {
  meta: {
    name: 'no-unbounded-retry',
    description: 'Disallow retries that have no attempt limit',
    bestPractices: ['REL05-BP03', 'REL04-BP02'],
    severity: 'error',
    presets: ['recommended', 'strict'],
    targets: ['code'],
    needsContext: false,
    help: 'Cap the number of attempts (or the total time) and let the last error propagate; prefer the SDK or a retry library with a finite limit and exponential backoff with jitter',
    options: {
      maxSdkAttempts: {
        type: 'integer',
        description: 'Highest AWS SDK v3 maxAttempts (and v2 maxRetries) accepted; larger values are reported',
        default: 10,
        minimum: 1,
      },
    },
  },
  // every finding needs a catch clause or a retry setting
  prefilter: /catch|retr|attempts|retries|forever/i,
  code({ analysis, options }) {
    const all: CodeReport[] = [...handWrittenRetries(analysis), ...libraryReports(analysis), ...sdkReports(analysis, options.maxSdkAttempts ?? 10)];
    // an options object shared by several calls is reported once, where it is written
    const seen = new Set<unknown>();
    const reports = all.filter((r) => !seen.has(r.node) && seen.add(r.node));
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default rule;
