import path from 'node:path';
import type { IacReport, IacDetector } from '../rule.js';
import { Intrinsic, type IacValue, type Resource, type Template } from '../../iac/model.js';
import {
  displayName,
  getIn,
  hasOpaqueProperties,
  isAbsent,
  isPlainObject,
  jsonValue,
  queues,
  refTarget,
  references,
  type References,
} from '../../iac/resources.js';

/**
 * Keys whose value holds a failure destination. A queue referenced anywhere below one of them is
 * a failure sink:
 * - `RedrivePolicy`: SQS queue (`deadLetterTargetArn`), SNS subscription, SAM SNS event;
 * - `DeadLetterConfig`: Lambda function (`TargetArn`), EventBridge rule target, Scheduler target,
 *   Pipes source parameters, SAM EventBridgeRule / Schedule / ScheduleV2 events (`Arn`);
 * - `DeadLetterQueue`: SAM function (`TargetArn`);
 * - `OnFailure`: Lambda EventInvokeConfig, event source mapping `DestinationConfig`, SAM
 *   `EventInvokeConfig` and stream events;
 * - `OnFailureConfiguration`: EventBridge (V2) subscriber;
 * - `ErrorAction`: IoT topic rule (an `Sqs` error action).
 * `OnSuccess` destinations, queue policies, subscriptions and event sources are not evidence.
 */
const SINK_KEYS = new Set([
  'RedrivePolicy',
  'DeadLetterConfig',
  'DeadLetterQueue',
  'OnFailure',
  'OnFailureConfiguration',
  'ErrorAction',
]);

interface Sinks {
  /** Per template: references found under failure-destination keys. */
  byTemplate: Map<Template, References>;
  /** Terraform: logical ids referenced under failure-destination keys, per module (directory). */
  byModule: Map<string, Set<string>>;
  /** Queue names and imported export names referenced as failure destinations anywhere. */
  names: Set<string>;
  imports: Set<string>;
}

function collectSinks(templates: Template[]): Sinks {
  const sinks: Sinks = { byTemplate: new Map(), byModule: new Map(), names: new Set(), imports: new Set() };
  for (const template of templates) {
    const found: References = { ids: new Set(), names: sinks.names, imports: sinks.imports };
    const scan = (value: IacValue | undefined, depth: number): void => {
      if (depth > 200 || value === null || value === undefined || typeof value !== 'object') return;
      if (Array.isArray(value)) {
        for (const item of value) scan(item, depth + 1);
      } else if (isPlainObject(value)) {
        for (const [key, inner] of Object.entries(value)) {
          if (SINK_KEYS.has(key)) references(inner, template, found);
          else scan(inner, depth + 1);
        }
      } else if (value instanceof Intrinsic) {
        // An intrinsic (e.g. Fn::If choosing between two configurations): look inside.
        scan(value.argument, depth + 1);
      }
    };
    // Resources (SAM Globals are already merged into them) and any Fn::ForEach bodies among them.
    scan(template.root['Resources'], 0);
    scan(template.root['Globals'], 0);
    sinks.byTemplate.set(template, found);
    if (template.format === 'terraform') {
      // the files of a Terraform module share one namespace: a DLQ may be declared in another file
      const module = sinks.byModule.get(moduleOf(template)) ?? new Set<string>();
      for (const id of found.ids) module.add(id);
      sinks.byModule.set(moduleOf(template), module);
    }
  }
  return sinks;
}

function moduleOf(template: Template): string {
  return path.dirname(template.file);
}

/** Literal export names whose value refers to each queue, per template. */
function exportsOf(template: Template): Map<string, string> {
  const byName = new Map<string, string>();
  const outputs = template.root['Outputs'];
  if (!isPlainObject(outputs)) return byName;
  for (const output of Object.values(outputs)) {
    const name = getIn(output, ['Export', 'Name']);
    const target = refTarget(getIn(output, ['Value']), template);
    if (typeof name === 'string' && target) byName.set(name, target);
  }
  return byName;
}

/** The queue's own RedriveAllowPolicy allows other queues to use it as their DLQ (anything but denyAll). */
function allowsRedrive(policy: IacValue | undefined): boolean {
  if (isAbsent(policy)) return false;
  const parsed = jsonValue(policy!);
  if (!isPlainObject(parsed)) return true; // unknown or not an object: do not claim it says no
  return parsed['redrivePermission'] !== 'denyAll';
}

/**
 * A queue named as a dead-letter queue (or as where failures go) is one, even when code (a
 * workflow's Catch path, not a redrive policy) fills it.
 */
const DLQ_NAME = /dlq|dead[-_ ]?letter|fail(?:ure|ed)/i;

/**
 * The name a CDK queue was given by its author: the last segment of its construct path, not the
 * ids of the constructs around it (a `Queue` inside a construct called `DlqProcessor` is not a
 * dead-letter queue). CDK source ids are construct paths when ids collide (`Ingest/Queue#2`);
 * synthesized resources carry the path in `aws:cdk:path` metadata (`Stack/Ingest/Queue/Resource`).
 */
function ownId(template: Template, queue: Resource): string {
  const cdkPath = queue.metadata?.['aws:cdk:path'];
  if (typeof cdkPath === 'string' && cdkPath.includes('/')) {
    const segments = cdkPath.split('/').filter((s) => s !== '' && s !== 'Resource');
    return segments[segments.length - 1] ?? queue.id;
  }
  if (template.format === 'cdk-source') return queue.id.replace(/#\d+$/, '').split('/').pop() ?? queue.id;
  return queue.id;
}

function isFailureSink(template: Template, queue: Resource, sinks: Sinks, exported: Map<string, string>): boolean {
  if (sinks.byTemplate.get(template)?.ids.has(queue.id)) return true;
  if (template.format === 'terraform' && sinks.byModule.get(moduleOf(template))?.has(queue.id)) return true;
  const name = queue.properties['QueueName'];
  if (DLQ_NAME.test(ownId(template, queue)) || (typeof name === 'string' && DLQ_NAME.test(name))) return true;
  // CDK app code: made and returned by a function named for it (`createDLQueue(scope, id)`;
  // `rel4lint:factory` metadata, see cdk/resources.ts)
  const factory = queue.metadata?.['rel4lint:factory'];
  if (typeof factory === 'string' && DLQ_NAME.test(factory)) return true;
  if (typeof name === 'string' && sinks.names.has(name)) return true;
  for (const [exportName, target] of exported) {
    if (target === queue.id && sinks.imports.has(exportName)) return true;
  }
  return allowsRedrive(queue.properties['RedriveAllowPolicy']);
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    const sinks = collectSinks(templates);
    for (const template of templates) {
      const exported = exportsOf(template);
      for (const queue of queues(template)) {
        if (hasOpaqueProperties(template, queue)) continue;
        // Present, or unknown (`!If`, a parameter): only a queue that certainly has none is reported.
        if (!isAbsent(queue.properties['RedrivePolicy'])) continue;
        if (isFailureSink(template, queue, sinks, exported)) continue;
        reports.push({
          template,
          path: [...queue.path, 'Properties', 'RedrivePolicy'],
          message: `SQS queue \`${displayName(queue)}\` has no dead-letter queue (RedrivePolicy): a message that keeps failing is redelivered until retention expires, then lost`,
        });
      }
    }
    return reports;
  },
};

export default detector;
