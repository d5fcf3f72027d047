import type { CodeReport, CodeDetector } from '../rule.js';
import { handWrittenRetries } from './hand-written.js';
import { libraryReports, sdkReports } from './configured.js';

export interface NoUnboundedRetryOptions {
  maxSdkAttempts: number;
}

const detector: CodeDetector<NoUnboundedRetryOptions> = {
  // every finding needs a catch clause, a retry setting or an error-first callback's test of its error
  prefilter: /catch|retr|attempts|retries|forever|if\s*\(\s*!?\s*err(?:or)?\b/i,
  code({ analysis, options }) {
    const all: CodeReport[] = [...handWrittenRetries(analysis), ...libraryReports(analysis), ...sdkReports(analysis, options.maxSdkAttempts ?? 10)];
    // an options object shared by several calls is reported once, where it is written
    const seen = new Set<unknown>();
    const reports = all.filter((r) => !seen.has(r.node) && seen.add(r.node));
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
