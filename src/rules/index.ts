/** The rule registry. `test/meta.test.ts` checks it against the folders in this directory. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyRule } from '../core/types.js';
import noSyncLambdaInvoke from './no-sync-lambda-invoke/index.js';
import noUnboundedFanOut from './no-unbounded-fan-out/index.js';
import noUnboundedRetry from './no-unbounded-retry/index.js';
import parseError from './parse-error/index.js';
import requireIdempotencyToken from './require-idempotency-token/index.js';
import requireQueueDlq from './require-queue-dlq/index.js';
import requireStreamRetryLimit from './require-stream-retry-limit/index.js';

export const RULES: AnyRule[] = [
  noSyncLambdaInvoke,
  noUnboundedFanOut,
  noUnboundedRetry,
  parseError,
  requireIdempotencyToken,
  requireQueueDlq,
  requireStreamRetryLimit,
];

export const PARSE_ERROR = 'parse-error';

const BY_NAME = new Map(RULES.map((r) => [r.meta.name, r]));

export function getRule(name: string): AnyRule | undefined {
  return BY_NAME.get(name);
}

export const DOCS_BASE_URL = 'https://github.com/rel4lint/rel4lint/blob/main/src/rules';

export function ruleDocUrl(name: string): string {
  return `${DOCS_BASE_URL}/${name}/README.md`;
}

/** Package root: two levels above this module both in `src/rules` and in `dist/rules`. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function ruleReadmePath(name: string): string {
  return path.join(PACKAGE_ROOT, 'src', 'rules', name, 'README.md');
}
