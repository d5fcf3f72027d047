import type { IacReport, IacDetector } from '../rule.js';
import { arnText, describeResource, isLambdaTask, numberOf, resourceTargetType, startsExpressWorkflow, stateMachines, statesOf, substituted, type AslState } from '../../iac/asl.js';
import { isAbsent } from '../../iac/resources.js';

/** Task timeouts up to this many seconds make a heartbeat unnecessary. */
const SHORT_TIMEOUT = 300;

/** How the task waits for its result. */
type Wait = 'callback' | 'activity' | 'job' | 'express-child' | 'request' | 'unknown';

function waitKind(task: AslState): Wait {
  if (resourceTargetType(task) === 'AWS::StepFunctions::Activity') return 'activity';
  if (isLambdaTask(task)) return 'request';
  const text = arnText(substituted(task.machine, task.resource));
  if (text === undefined) return 'unknown';
  if (/\.waitForTaskToken$/.test(text)) return 'callback';
  if (/^arn:[^:]*:states:[^:]*:[^:]*:activity:/.test(text)) return 'activity';
  // a child Express workflow runs five minutes at most: waiting for it is bounded like a request
  if (/\.sync(?::\d+)?$/.test(text)) return /:states:::states:startExecution\.sync/.test(text) && startsExpressWorkflow(task) ? 'express-child' : 'job';
  if (/^arn:/.test(text)) return 'request';
  return 'unknown';
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    for (const machine of stateMachines(templates)) {
      for (const task of statesOf(machine)) {
        if (task.type !== 'Task' || task.express) continue;
        const s = task.state;
        const kind = waitKind(task);
        const resource = describeResource(task);
        const subject = `Task state \`${task.name}\` of ${machine.label}${resource ? ` (resource ${resource})` : ''}`;
        const noTimeout = isAbsent(s['TimeoutSeconds']) && isAbsent(s['TimeoutSecondsPath']) && !task.enclosingTimeout;
        const needsHeartbeat = kind === 'callback' || kind === 'activity';
        // a timeout of a few minutes already notices a dead worker about as soon as a heartbeat would
        const timeout = numberOf(s['TimeoutSeconds']);
        const shortTimeout = timeout !== undefined && timeout <= SHORT_TIMEOUT;
        const noHeartbeat = needsHeartbeat && !shortTimeout && isAbsent(s['HeartbeatSeconds']) && isAbsent(s['HeartbeatSecondsPath']);
        const related = machine.related ? { related: machine.related } : {};
        if (noHeartbeat) {
          const waitsFor = kind === 'callback' ? 'a task token that a lost or crashed worker never sends back' : 'an activity worker that may have died';
          reports.push({
            template: machine.template,
            path: [...task.path, noTimeout ? 'TimeoutSeconds' : 'HeartbeatSeconds'],
            message: noTimeout
              ? `${subject} has neither TimeoutSeconds nor HeartbeatSeconds: it waits up to 99,999,999 s (about 3 years, past the execution's one-year limit) for ${waitsFor}`
              : `${subject} has no HeartbeatSeconds: a worker that dies is only noticed when TimeoutSeconds expires, not within a heartbeat interval`,
            ...related,
          });
          continue;
        }
        if (!noTimeout) continue;
        const consequence =
          kind === 'job'
            ? 'the state waits as long as the job runs, up to the one-year execution limit, if the job hangs'
            : kind === 'express-child'
              ? 'the state waits for its Express child workflow, which ends within five minutes, not within a bound the workflow chose'
              : needsHeartbeat
                ? // HeartbeatSeconds notices a worker that goes silent, not one that keeps reporting
                  `its HeartbeatSeconds fails the state when the worker goes silent, but a worker that keeps sending heartbeats without finishing holds it up to the one-year execution limit`
                : 'the state fails only when the called service gives up, not within a bound the workflow chose';
        reports.push({
          template: machine.template,
          path: [...task.path, 'TimeoutSeconds'],
          message: `${subject} has no TimeoutSeconds (the default is 99,999,999 s): ${consequence}`,
          // request-response calls (and resources that cannot be resolved) are bounded by the called service
          ...(kind === 'job' ? {} : { severity: 'note' as const }),
          ...related,
        });
      }
    }
    return reports;
  },
};

export default detector;
