import type { IacReport, IacDetector } from '../rule.js';
import { projectOf } from '../../context/project.js';
import type { IacValue, PathSegment, PlainObject, Resource, Template } from '../../iac/model.js';
import { displayName, getIn, hasOpaqueProperties, intrinsicText, isAbsent, isDisabledTrigger, isIntrinsic, isPlainObject, refTarget, resourceLookup, resourcesOfType } from '../../iac/resources.js';
import { samFunctionEvents } from '../../iac/sam.js';
import { functionRef, functions, isFunction } from '../../iac/lambda.js';

/** One piece of evidence that a function is invoked asynchronously. */
export interface AsyncEvidence {
  template: Template;
  /** Logical id of the function in `template`. */
  functionId: string;
  /** Where the evidence is (a permission, an event, a rule target, a code call...). */
  evidence: { template: Template; path: PathSegment[]; label: string };
}

/**
 * Sources of async-invocation evidence. The project context (code elsewhere calling the function
 * with `InvocationType: 'Event'`) plugs in here by adding a provider.
 */
export type AsyncEvidenceProvider = (templates: Template[]) => AsyncEvidence[];

/** Service principals that invoke Lambda asynchronously. */
const ASYNC_PRINCIPALS: Record<string, string> = {
  s3: 'Amazon S3',
  sns: 'Amazon SNS',
  events: 'EventBridge',
  scheduler: 'EventBridge Scheduler',
  iot: 'AWS IoT',
  logs: 'CloudWatch Logs',
  ses: 'Amazon SES',
};

/** The service of a principal such as `sns.amazonaws.com` or `!Sub logs.${AWS::Region}.amazonaws.com`. */
function principalService(value: IacValue | undefined): string | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (isIntrinsic(value, 'Fn::Sub')) {
    const argument = value.argument;
    text = typeof argument === 'string' ? argument : Array.isArray(argument) && typeof argument[0] === 'string' ? argument[0] : undefined;
  }
  const service = text ? /^([a-z0-9-]+)\.(?:[^.]+\.)?amazonaws\.com(?:\.cn)?$/.exec(text.trim())?.[1] : undefined;
  return service && Object.hasOwn(ASYNC_PRINCIPALS, service) ? service : undefined;
}

/**
 * The service of a permission's `SourceArn` (`arn:aws:execute-api:...`, a `!GetAtt` of a topic),
 * when it can be told: `arn:<partition>:<service>:` in the text, else the `AWS::<Service>::` of
 * the resource it references.
 */
function sourceArnService(template: Template, value: IacValue | undefined): string | undefined {
  const target = refTarget(value, template);
  const resource = target !== undefined && !isIntrinsic(value, 'Fn::Sub') ? template.resources.get(target) : undefined;
  if (resource) return /^AWS::([A-Za-z0-9]+)::/.exec(resource.type)?.[1]?.toLowerCase();
  const text = intrinsicText(value, () => '*', () => '*');
  return text === undefined ? undefined : /^arn:[^:]*:([a-z0-9-]+):/.exec(text)?.[1];
}

const SAM_ASYNC_EVENTS = new Set(['S3', 'SNS', 'EventBridgeRule', 'CloudWatchEvent', 'Schedule', 'ScheduleV2', 'IoTRule', 'CloudWatchLogs']);

/** `[index, LambdaAction]` of an SES receipt rule. */
function sesLambdaActions(rule: Resource): [number, PlainObject][] {
  const actions = getIn(rule.properties, ['Rule', 'Actions']);
  if (!Array.isArray(actions)) return [];
  const out: [number, PlainObject][] = [];
  actions.forEach((action, index) => {
    const lambda = getIn(action, ['LambdaAction']);
    if (isPlainObject(lambda)) out.push([index, lambda]);
  });
  return out;
}

/** SES invokes asynchronously unless the action says `InvocationType: RequestResponse`. */
function isSesEvent(action: PlainObject): boolean {
  const type = action['InvocationType'];
  return isAbsent(type) || (typeof type === 'string' && type === 'Event');
}

/**
 * Functions that a service principal invokes only synchronously, so that its invoke permission is
 * no evidence of async invocation: SES receipt-rule actions with `InvocationType:
 * RequestResponse` (and none with `Event`), IoT custom authorizers (not also an IoT rule action).
 */
function synchronousServiceUses(template: Template): Map<string, Set<string>> {
  const sesSync = new Set<string>();
  const sesAsync = new Set<string>();
  for (const rule of resourcesOfType(template, 'AWS::SES::ReceiptRule')) {
    for (const [, action] of sesLambdaActions(rule)) {
      const id = functionRef(template, action['FunctionArn']);
      if (id) (isSesEvent(action) ? sesAsync : sesSync).add(id);
    }
  }
  const iotSync = new Set<string>();
  for (const authorizer of resourcesOfType(template, 'AWS::IoT::Authorizer')) {
    const id = functionRef(template, authorizer.properties['AuthorizerFunctionArn']);
    if (id) iotSync.add(id);
  }
  for (const rule of resourcesOfType(template, 'AWS::IoT::TopicRule')) {
    const actions = getIn(rule.properties, ['TopicRulePayload', 'Actions']);
    if (!Array.isArray(actions)) continue;
    for (const action of actions) {
      const id = functionRef(template, getIn(action, ['Lambda', 'FunctionArn']));
      if (id) iotSync.delete(id);
    }
  }
  return new Map([
    ['ses', new Set([...sesSync].filter((id) => !sesAsync.has(id)))],
    ['iot', iotSync],
  ]);
}

/** Evidence found in the templates themselves. */
const templateEvidence: AsyncEvidenceProvider = (templates) => {
  const out: AsyncEvidence[] = [];
  // a Terraform permission, rule or subscription may name a function of another file of the module
  const lookup = resourceLookup(templates);
  for (const template of templates) {
    const add = (value: IacValue | undefined, path: PathSegment[], label: string): void => {
      const functionId = functionRef(template, value);
      if (functionId) {
        out.push({ template, functionId, evidence: { template, path, label } });
        return;
      }
      const other = lookup(template, refTarget(value));
      if (other && other.template !== template && isFunction(other.resource)) {
        out.push({ template: other.template, functionId: other.resource.id, evidence: { template, path, label } });
      }
    };
    const synchronousOnly = synchronousServiceUses(template);
    for (const permission of resourcesOfType(template, 'AWS::Lambda::Permission')) {
      const service = principalService(permission.properties['Principal']);
      if (!service) continue;
      // a source of another service (an API's execute-api ARN under an events principal) never
      // matches a call from this one: the permission lets nothing invoke the function
      const source = sourceArnService(template, permission.properties['SourceArn']);
      if (source !== undefined && source !== '*' && source !== service) continue;
      const target = functionRef(template, permission.properties['FunctionName']);
      if (target && synchronousOnly.get(service)?.has(target)) continue;
      add(permission.properties['FunctionName'], [...permission.path, 'Properties', 'Principal'], `invoke permission for ${ASYNC_PRINCIPALS[service]}`);
    }
    // a disabled rule or schedule invokes nothing
    for (const rule of resourcesOfType(template, 'AWS::Events::Rule')) {
      const targets = rule.properties['Targets'];
      if (!Array.isArray(targets) || isDisabledTrigger(rule.properties)) continue;
      targets.forEach((target, index) => {
        if (isPlainObject(target)) add(target['Arn'], [...rule.path, 'Properties', 'Targets', index], `target of EventBridge rule \`${displayName(rule)}\``);
      });
    }
    for (const schedule of resourcesOfType(template, 'AWS::Scheduler::Schedule')) {
      if (isDisabledTrigger(schedule.properties)) continue;
      add(getIn(schedule.properties, ['Target', 'Arn']), [...schedule.path, 'Properties', 'Target'], `target of schedule \`${displayName(schedule)}\``);
    }
    for (const subscription of resourcesOfType(template, 'AWS::SNS::Subscription')) {
      const protocol = subscription.properties['Protocol'];
      if (typeof protocol !== 'string' || protocol.toLowerCase() !== 'lambda') continue;
      add(subscription.properties['Endpoint'], [...subscription.path, 'Properties', 'Endpoint'], `SNS subscription \`${displayName(subscription)}\``);
    }
    for (const topic of resourcesOfType(template, 'AWS::SNS::Topic')) {
      const inline = topic.properties['Subscription'];
      if (!Array.isArray(inline)) continue;
      inline.forEach((entry, index) => {
        const protocol = getIn(entry, ['Protocol']);
        if (typeof protocol !== 'string' || protocol.toLowerCase() !== 'lambda') return;
        add(getIn(entry, ['Endpoint']), [...topic.path, 'Properties', 'Subscription', index], `subscription of SNS topic \`${displayName(topic)}\``);
      });
    }
    for (const bucket of resourcesOfType(template, 'AWS::S3::Bucket')) {
      const configurations = getIn(bucket.properties, ['NotificationConfiguration', 'LambdaConfigurations']);
      if (!Array.isArray(configurations)) continue;
      configurations.forEach((configuration, index) => {
        add(getIn(configuration, ['Function']), [...bucket.path, 'Properties', 'NotificationConfiguration', 'LambdaConfigurations', index], `notification of S3 bucket \`${displayName(bucket)}\``);
      });
    }
    for (const rule of resourcesOfType(template, 'AWS::SES::ReceiptRule')) {
      for (const [index, action] of sesLambdaActions(rule)) {
        if (!isSesEvent(action)) continue;
        add(action['FunctionArn'], [...rule.path, 'Properties', 'Rule', 'Actions', index], `Lambda action of SES receipt rule \`${displayName(rule)}\``);
      }
    }
    for (const rule of resourcesOfType(template, 'AWS::IoT::TopicRule')) {
      const actions = getIn(rule.properties, ['TopicRulePayload', 'Actions']);
      if (!Array.isArray(actions)) continue;
      actions.forEach((action, index) => {
        add(getIn(action, ['Lambda', 'FunctionArn']), [...rule.path, 'Properties', 'TopicRulePayload', 'Actions', index], `Lambda action of IoT topic rule \`${displayName(rule)}\``);
      });
    }
    for (const event of samFunctionEvents(template)) {
      if (!SAM_ASYNC_EVENTS.has(event.type) || (event.properties && isDisabledTrigger(event.properties))) continue;
      out.push({ template, functionId: event.functionId, evidence: { template, path: event.path, label: `${event.type} event \`${event.eventId}\`` } });
    }
  }
  return out;
};

/**
 * Handler code elsewhere in the project invokes the function with `InvocationType: 'Event'`
 * through an environment variable the template sets to it, or by the function's name written out
 * (from the project model of the scan).
 */
function codeEvidence(templates: Template[]): AsyncEvidence[] {
  return (projectOf(templates)?.asyncInvokes() ?? []).map((i) => ({
    template: i.template,
    functionId: i.functionId,
    evidence: {
      template: i.via.template,
      path: i.via.path,
      label: i.self ? `its own code invokes it with InvocationType 'Event' ${i.through}` : `the code of \`${i.caller}\` invokes it with InvocationType 'Event' ${i.through}`,
    },
  }));
}

/** Providers consulted by the rule, in order. */
export const ASYNC_EVIDENCE_PROVIDERS: AsyncEvidenceProvider[] = [templateEvidence, codeEvidence];

/** `OnFailure` is present (or cannot be known) in a destination config. */
function hasOnFailure(destinationConfig: IacValue | undefined): boolean {
  if (isAbsent(destinationConfig)) return false;
  if (!isPlainObject(destinationConfig)) return true;
  return !isAbsent(destinationConfig['OnFailure']);
}

/**
 * Functions with an `AWS::Lambda::EventInvokeConfig` whose DestinationConfig has OnFailure, per
 * template that declares the function (a Terraform config may be in another file of the module).
 */
function functionsWithInvokeConfig(templates: Template[]): Map<Template, Set<string>> {
  const lookup = resourceLookup(templates);
  const configured = new Map<Template, Set<string>>();
  for (const template of templates) {
    for (const config of resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')) {
      if (!hasOpaqueProperties(template, config) && !hasOnFailure(config.properties['DestinationConfig'])) continue;
      const value = config.properties['FunctionName'];
      const id = functionRef(template, value);
      const other = id ? undefined : lookup(template, refTarget(value));
      const owner = id ? template : other && isFunction(other.resource) ? other.template : undefined;
      const functionId = id ?? other?.resource.id;
      if (!owner || !functionId) continue;
      const ids = configured.get(owner) ?? new Set<string>();
      ids.add(functionId);
      configured.set(owner, ids);
    }
  }
  return configured;
}

/** The function itself has a DLQ or an async OnFailure destination (SAM), or cannot be known. */
function capturesFailures(fn: Resource): boolean {
  const p = fn.properties;
  const dlq = p['DeadLetterConfig'];
  if (!isAbsent(dlq) && !(isPlainObject(dlq) && isAbsent(dlq['TargetArn']))) return true;
  const samDlq = p['DeadLetterQueue'];
  if (!isAbsent(samDlq)) return true;
  const invokeConfig = p['EventInvokeConfig'];
  if (!isAbsent(invokeConfig) && (!isPlainObject(invokeConfig) || hasOnFailure(invokeConfig['DestinationConfig']))) return true;
  return false;
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    const evidence = ASYNC_EVIDENCE_PROVIDERS.flatMap((provider) => provider(templates));
    const configured = functionsWithInvokeConfig(templates);
    for (const template of templates) {
      for (const fn of functions(template)) {
        const found = evidence.filter((e) => e.template === template && e.functionId === fn.id);
        if (found.length === 0) continue;
        if (hasOpaqueProperties(template, fn) || configured.get(template)?.has(fn.id) || capturesFailures(fn)) continue;
        const first = found[0]!.evidence.label;
        const more = found.length > 1 ? ` and ${found.length - 1} more` : '';
        reports.push({
          template,
          path: [...fn.path, 'Properties', 'DeadLetterConfig'],
          message: `Lambda function \`${displayName(fn)}\` is invoked asynchronously (${first}${more}) but has no on-failure destination or dead-letter queue: an event that fails all its retries, or expires in the queue, is dropped without trace`,
          related: found.map((e) => ({ template: e.evidence.template, path: e.evidence.path, label: e.evidence.label })),
        });
      }
    }
    return reports;
  },
};

export default detector;
