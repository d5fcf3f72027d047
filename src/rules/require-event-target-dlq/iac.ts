import type { IacReport, IacDetector } from '../rule.js';
import type { IacValue, PathSegment, PlainObject, Resource, Template } from '../../iac/model.js';
import { displayName, getIn, hasOpaqueProperties, isAbsent, isDisabledTrigger, isIntrinsic, isPlainObject, refTarget } from '../../iac/resources.js';
import { samEvents } from '../../iac/sam.js';
import { literalNumber } from '../../iac/lambda.js';

/** "24 h", "5 min", "90 s". */
function duration(totalSeconds: number): string {
  if (totalSeconds >= 3600 && totalSeconds % 3600 === 0) return `${totalSeconds / 3600} h`;
  if (totalSeconds >= 60 && totalSeconds % 60 === 0) return `${totalSeconds / 60} min`;
  return `${totalSeconds} s`;
}

/**
 * The retry limits in effect: the configured values where they are literal numbers, the service
 * defaults where absent, and "configured" where they cannot be known.
 */
function retryLimits(policy: IacValue | undefined, attemptsKey: string, ageKey: string, defaults: { attempts: number; age: number }): string {
  const read = (key: string, fallback: number): number | undefined => {
    const value = getIn(policy, [key]);
    if (isAbsent(policy) || (isPlainObject(policy) && isAbsent(value))) return fallback;
    return literalNumber(value);
  };
  const attempts = read(attemptsKey, defaults.attempts);
  // no retries: a failed delivery is final, whatever the maximum age
  if (attempts === 0) return 'does not retry a failed delivery (retry attempts 0)';
  const age = read(ageKey, defaults.age);
  const a = attempts === undefined ? 'the configured number of times' : `up to ${attempts} time${attempts === 1 ? '' : 's'}`;
  const b = age === undefined ? 'the configured maximum event age' : duration(age);
  return `retries ${a} within ${b}`;
}

const CLASSIC = { attempts: 185, age: 86400 };
const V2 = { attempts: 5, age: 300 };

function targetLabel(target: PlainObject, index: number): string {
  const id = target['Id'];
  return typeof id === 'string' ? `target \`${id}\`` : `target ${index + 1}`;
}

/** A CloudWatch Logs log group target keeps a copy of events for observability only. */
function isLogGroup(template: Template, arn: IacValue | undefined): boolean {
  const id = refTarget(arn, template);
  if (id) return template.resources.get(id)!.type === 'AWS::Logs::LogGroup';
  const text = typeof arn === 'string' ? arn : isIntrinsic(arn, 'Fn::Sub') ? JSON.stringify(arn.argument) : undefined;
  return text !== undefined && /arn:[^:"]*:logs:/.test(text);
}

function eventRuleReports(template: Template, rule: Resource, reports: IacReport[]): void {
  if (hasOpaqueProperties(template, rule) || isDisabledTrigger(rule.properties)) return;
  const targets = rule.properties['Targets'];
  if (!Array.isArray(targets)) return;
  targets.forEach((target, index) => {
    if (!isPlainObject(target) || !isAbsent(target['DeadLetterConfig'])) return;
    if (isLogGroup(template, target['Arn'])) return;
    const path: PathSegment[] = [...rule.path, 'Properties', 'Targets', index, 'DeadLetterConfig'];
    const retries = retryLimits(target['RetryPolicy'], 'MaximumRetryAttempts', 'MaximumEventAgeInSeconds', CLASSIC);
    reports.push({
      template,
      path,
      message: `EventBridge rule \`${displayName(rule)}\` ${targetLabel(target, index)} has no DeadLetterConfig: EventBridge ${retries}, then drops the event without trace`,
    });
  });
}

function scheduleReports(template: Template, schedule: Resource, reports: IacReport[]): void {
  if (hasOpaqueProperties(template, schedule) || isDisabledTrigger(schedule.properties)) return;
  const target = schedule.properties['Target'];
  if (!isPlainObject(target) || !isAbsent(target['DeadLetterConfig'])) return;
  const retries = retryLimits(target['RetryPolicy'], 'MaximumRetryAttempts', 'MaximumEventAgeInSeconds', CLASSIC);
  reports.push({
    template,
    path: [...schedule.path, 'Properties', 'Target', 'DeadLetterConfig'],
    message: `EventBridge Scheduler schedule \`${displayName(schedule)}\` has no Target.DeadLetterConfig: Scheduler ${retries}, then drops the invocation without trace`,
  });
}

/** Pipes take a DLQ for stream sources; SQS sources rely on the queue's own redrive policy. */
const PIPE_STREAM_PARAMETERS: Record<string, string> = {
  KinesisStreamParameters: 'Kinesis',
  DynamoDBStreamParameters: 'DynamoDB Streams',
};

function pipeReports(template: Template, pipe: Resource, reports: IacReport[]): void {
  if (hasOpaqueProperties(template, pipe)) return;
  const state = pipe.properties['DesiredState'];
  if (typeof state === 'string' && state.toUpperCase() === 'STOPPED') return;
  const sourceParameters = pipe.properties['SourceParameters'];
  if (!isPlainObject(sourceParameters)) return;
  for (const [key, label] of Object.entries(PIPE_STREAM_PARAMETERS)) {
    const parameters = sourceParameters[key];
    if (!isPlainObject(parameters) || !isAbsent(parameters['DeadLetterConfig'])) continue;
    const attempts = literalNumber(parameters['MaximumRetryAttempts']);
    // both absent or -1 (the defaults): the pipe retries a failing record until it expires from the stream
    const unlimited = (v: IacValue | undefined) => isAbsent(v) || literalNumber(v) === -1;
    const forever = unlimited(parameters['MaximumRetryAttempts']) && unlimited(parameters['MaximumRecordAgeInSeconds']);
    const retries = forever
      ? 'a failing record is retried until it expires from the stream, holding up its shard, and is then'
      : attempts === undefined || attempts < 0
        ? 'records that run out of retries are'
        : `records that still fail after ${attempts} retr${attempts === 1 ? 'y' : 'ies'} are`;
    reports.push({
      template,
      path: [...pipe.path, 'Properties', 'SourceParameters', key, 'DeadLetterConfig'],
      message: `EventBridge pipe \`${displayName(pipe)}\` with a ${label} source has no DeadLetterConfig: ${retries} skipped without trace`,
    });
  }
}

function subscriberReports(template: Template, subscriber: Resource, reports: IacReport[]): void {
  if (hasOpaqueProperties(template, subscriber) || isDisabledTrigger(subscriber.properties)) return;
  const onFailure = subscriber.properties['OnFailureConfiguration'];
  if (!isAbsent(onFailure) && !(isPlainObject(onFailure) && isAbsent(onFailure['Arn']))) return;
  const retries = retryLimits(subscriber.properties['RetryPolicy'], 'MaxRetryAttempts', 'MaxEventAgeInSeconds', V2);
  reports.push({
    template,
    path: [...subscriber.path, 'Properties', 'OnFailureConfiguration'],
    message: `EventBridge subscriber \`${displayName(subscriber)}\` has no OnFailureConfiguration: EventBridge ${retries} (far shorter than the 24 h of classic rules), then drops the event and only the EventsDropped metric shows it`,
  });
}

/** SAM events that create an EventBridge rule target or a Scheduler schedule for the function. */
const SAM_EVENTS: Record<string, { kind: string; defaults: typeof CLASSIC }> = {
  EventBridgeRule: { kind: 'EventBridge rule', defaults: CLASSIC },
  CloudWatchEvent: { kind: 'EventBridge rule', defaults: CLASSIC },
  Schedule: { kind: 'EventBridge schedule rule', defaults: CLASSIC },
  ScheduleV2: { kind: 'EventBridge Scheduler schedule', defaults: CLASSIC },
};

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    for (const template of templates) {
      for (const resource of template.resources.values()) {
        switch (resource.type) {
          case 'AWS::Events::Rule':
            eventRuleReports(template, resource, reports);
            break;
          case 'AWS::Scheduler::Schedule':
            scheduleReports(template, resource, reports);
            break;
          case 'AWS::Pipes::Pipe':
            pipeReports(template, resource, reports);
            break;
          case 'AWS::EventsV2::Subscriber':
            subscriberReports(template, resource, reports);
            break;
        }
      }
      // events of SAM functions and state machines: the transform makes the same rule targets and schedules
      for (const event of samEvents(template)) {
        const known = SAM_EVENTS[event.type];
        if (!known || !event.properties || isDisabledTrigger(event.properties)) continue;
        if (!isAbsent(event.properties['DeadLetterConfig'])) continue;
        const owner = template.resources.get(event.functionId)!;
        const retries = retryLimits(event.properties['RetryPolicy'], 'MaximumRetryAttempts', 'MaximumEventAgeInSeconds', known.defaults);
        reports.push({
          template,
          path: [...event.path, 'Properties', 'DeadLetterConfig'],
          message: `${event.type} event \`${event.eventId}\` of ${event.owner} \`${displayName(owner)}\` has no DeadLetterConfig: the ${known.kind} ${retries}, then drops the event without trace`,
        });
      }
    }
    return reports;
  },
};

export default detector;
