import type { IacReport, IacDetector } from '../rule.js';
import { isJsonata, isLambdaTask, numberOf, stateMachines, statesOf, type AslState } from '../../iac/asl.js';
import type { IacValue } from '../../iac/model.js';
import { isAbsent, isPlainObject } from '../../iac/resources.js';

interface Options {
  maxAttempts: number;
}

/** Retrier defaults (Amazon States Language). */
const DEFAULT_INTERVAL = 1;
const DEFAULT_MAX_ATTEMPTS = 3;
const DEFAULT_BACKOFF = 2;
/** Longest single wait between attempts that is accepted without `MaxDelaySeconds` (Lambda's own asynchronous retries back off up to 5 minutes). */
const MAX_UNCAPPED_DELAY = 300;
/**
 * Total wait over every retry that `MaxAttempts` alone may bound without `MaxDelaySeconds`: 15
 * minutes. The Amazon Builders' Library ("Timeouts, retries, and backoff with jitter") caps
 * exponential backoff so that retries do not go on for too long (ten uncapped doublings from 1 s
 * wait 17 minutes in all); AWS's recommended Lambda retrier (2 s, ×2, 6 attempts) waits about 2
 * minutes in total.
 */
const MAX_UNCAPPED_TOTAL = 900;
/** Constant retries and catch-all retries are accepted up to this many attempts. */
const MAX_PLAIN_ATTEMPTS = 3;

/** Errors a Lambda task should retry (service errors and throttling), or anything broader. */
const LAMBDA_RETRYABLE = new Set([
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'States.TaskFailed',
  'States.ALL',
]);

/** A retrier field: its literal number, the default when absent, undefined when unknown. */
function field(retrier: Record<string, IacValue>, name: string, fallback: number): number | undefined {
  const value = retrier[name];
  if (isAbsent(value)) return fallback;
  return numberOf(value);
}

function errorNames(retrier: Record<string, IacValue>): string[] | undefined {
  const errors = retrier['ErrorEquals'];
  if (!Array.isArray(errors)) return undefined;
  return errors.filter((e): e is string => typeof e === 'string');
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds > 1e12) return 'an unbounded time';
  if (seconds >= 86_400 * 2) return `${Math.round(seconds / 86_400).toLocaleString('en-US')} days`;
  if (seconds >= 7_200) return `${Math.round(seconds / 3_600)} hours`;
  if (seconds >= 120) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.round(seconds)} s`;
}

/** Has a non-empty `Catch` (or one that cannot be known). */
function hasCatch(state: AslState): boolean {
  const c = state.catch;
  if (isAbsent(c)) return false;
  return !Array.isArray(c) || c.length > 0;
}

const detector: IacDetector<Options> = {
  iac({ templates, options }) {
    const reports: IacReport[] = [];
    const limit = options.maxAttempts ?? 10;
    for (const machine of stateMachines(templates)) {
      const report = (path: (string | number)[], message: string, severity?: 'note'): void => {
        reports.push({ template: machine.template, path, message, ...(severity ? { severity } : {}), ...(machine.related ? { related: machine.related } : {}) });
      };
      for (const state of statesOf(machine)) {
        const subject = `${state.type} state \`${state.name}\` of ${machine.label}`;
        const retry = state.retry;
        const retriers = Array.isArray(retry) ? retry : [];
        const retryPath = [...state.path, 'Retry'];
        retriers.forEach((retrier, index) => {
          if (!isPlainObject(retrier) || isJsonata(retrier['MaxAttempts'] as IacValue)) return;
          const path = [...retryPath, index];
          const errors = errorNames(retrier) ?? [];
          const label = errors.length > 0 ? errors.map((e) => `\`${e}\``).join(', ') : 'these errors';
          const attempts = field(retrier, 'MaxAttempts', DEFAULT_MAX_ATTEMPTS);
          const interval = field(retrier, 'IntervalSeconds', DEFAULT_INTERVAL);
          const backoff = field(retrier, 'BackoffRate', DEFAULT_BACKOFF);
          if (attempts === undefined || attempts <= 0) return;
          if (attempts > limit) {
            report(
              [...path, 'MaxAttempts'],
              `${subject} retries ${label} up to ${attempts.toLocaleString('en-US')} times (MaxAttempts above ${limit}): a failing dependency keeps being called long after retrying stopped helping`,
            );
          }
          if (backoff === 1 && attempts > MAX_PLAIN_ATTEMPTS) {
            report(
              [...path, 'BackoffRate'],
              `${subject} retries ${label} ${attempts} times at a constant interval (BackoffRate 1): retries arrive at the same pace while the dependency is struggling`,
            );
          }
          if (
            !state.express &&
            isAbsent(retrier['MaxDelaySeconds']) &&
            interval !== undefined &&
            backoff !== undefined &&
            backoff > 1
          ) {
            const longest = interval * Math.pow(backoff, attempts - 1);
            // interval × (1 + backoff + ... + backoff^(attempts-1))
            const total = (interval * (Math.pow(backoff, attempts) - 1)) / (backoff - 1);
            if (longest > MAX_UNCAPPED_DELAY && total > MAX_UNCAPPED_TOTAL) {
              report(
                [...path, 'MaxDelaySeconds'],
                `${subject} backs off on ${label} without MaxDelaySeconds: the wait before attempt ${attempts + 1} reaches ${formatSeconds(longest)} (IntervalSeconds ${interval} × BackoffRate ${backoff}^${attempts - 1}), ${formatSeconds(total)} of waiting in all`,
              );
            }
          }
          if (errors.includes('States.ALL') && attempts > MAX_PLAIN_ATTEMPTS && !hasCatch(state)) {
            const at = (retrier['ErrorEquals'] as IacValue[]).indexOf('States.ALL');
            report(
              [...path, 'ErrorEquals', at],
              `${subject} retries every error (\`States.ALL\`) ${attempts} times and has no Catch: permanent failures are retried as if they were transient, then fail the execution`,
            );
          }
        });
        if (isLambdaTask(state) && (isAbsent(retry) || Array.isArray(retry))) {
          const covered = retriers.some((r) => {
            if (!isPlainObject(r)) return true; // cannot tell
            const errors = r['ErrorEquals'];
            if (!Array.isArray(errors)) return true;
            const attempts = field(r, 'MaxAttempts', DEFAULT_MAX_ATTEMPTS);
            return (attempts === undefined || attempts > 0) && errors.some((e) => typeof e !== 'string' || LAMBDA_RETRYABLE.has(e));
          });
          if (!covered) {
            const path = isAbsent(retry) ? retryPath : [...retryPath, retriers.length];
            report(
              path,
              `Lambda ${subject} does not retry Lambda service errors (Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException): a transient Lambda error or throttle fails the state`,
              'note',
            );
          }
        }
      }
    }
    return reports;
  },
};

export default detector;
