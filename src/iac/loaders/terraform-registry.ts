/**
 * Modules of the Terraform Registry that production Terraform calls instead of writing the
 * resources (`terraform-aws-modules/sqs/aws`, `terraform-aws-modules/lambda/aws`, ...), read as the
 * resources they create, each located at the input that decides it, so the rules check a
 * `module` block as they check the `aws_*` resources it stands for. What the modules create, as
 * their `main.tf` and `variables.tf` define it:
 *
 * - sqs: the queue (`module.<name>`); with `create_dlq = true` a dead-letter queue
 *   (`module.<name>.dlq`) and the queue's redrive policy to it (`maxReceiveCount` 5 unless
 *   `redrive_policy` says otherwise); without it, `redrive_policy` as given. `create = false`:
 *   nothing.
 * - eventbridge: one rule per entry of `rules` (`module.<name>.rules.<key>`: its
 *   `schedule_expression`, `event_pattern`, `enabled`/`state`), with the targets its key has in
 *   `targets` (`arn`, `dead_letter_arn`, `retry_policy`). `create_rules = false`: none. One
 *   Scheduler schedule per entry of `schedules` (`module.<name>.schedules.<key>`; the module's
 *   time window is off unless `use_flexible_time_window = true`, `state` is a boolean, the target
 *   is `arn` with `dead_letter_arn` and `retry_policy`). `create_schedules = false`: none.
 * - sns: the topic (`module.<name>`) and one subscription per entry of `subscriptions`
 *   (`module.<name>.subscriptions.<key>`: `protocol`, `endpoint`, `redrive_policy`, ...).
 *   `create_subscription = false`: no subscription.
 * - step-functions: the state machine (`module.<name>`): `definition`, and `type` upper-cased
 *   (STANDARD by default).
 * - lambda: the function (`module.<name>`; `timeout` defaults to 3 s, as Lambda's own default,
 *   and `reserved_concurrent_executions = -1` is no reservation), `dead_letter_target_arn`; with
 *   `create_async_event_config = true` its asynchronous invocation settings
 *   (`maximum_retry_attempts`, `maximum_event_age_in_seconds`, `destination_on_failure`); one event
 *   source mapping per entry of `event_source_mapping` and one invoke permission per entry of
 *   `allowed_triggers` (`service = "events"` is the principal `events.amazonaws.com`).
 *   `create = false`, `create_function = false` or `create_layer = true`: no function.
 *
 * An input given by a variable or an expression the file does not determine is an unknown
 * value, never reported as missing. The modules' outputs that name these resources
 * (`module.jobs.queue_arn`, `module.worker.lambda_function_arn`, ...) are references to them.
 */
import { Intrinsic, TERRAFORM_SOURCE_PATH, Unknown, isPlainObject, type IacValue, type PlainObject } from '../model.js';
import type { SourceNode } from '../document.js';
import { namedChildren, type HclNode } from '../hcl.js';
import { Props, type Built } from './synthesized.js';
import type { Converter } from './terraform-values.js';
import { TYPES } from './terraform-resources.js';

type Kind = 'sqs' | 'lambda' | 'eventbridge' | 'sns' | 'step-functions';

/** The registry module a `source` names (`terraform-aws-modules/sqs/aws`, its registry host optional); submodules (`//modules/x`) are other modules. */
export function registryModule(source: unknown): Kind | undefined {
  if (typeof source !== 'string') return undefined;
  const m = /^(?:registry\.terraform\.io\/)?terraform-aws-modules\/(sqs|lambda|eventbridge|sns|step-functions)\/aws$/.exec(source.trim());
  return m ? (m[1] as Kind) : undefined;
}

/** Outputs naming a module's resources: output → resource id suffix and attribute (`Ref` for a Ref). */
const OUTPUTS: Record<Kind, Record<string, [string, string]>> = {
  sqs: {
    queue_id: ['', 'Ref'],
    queue_url: ['', 'Ref'],
    queue_arn: ['', 'Arn'],
    queue_arn_static: ['', 'Arn'],
    queue_name: ['', 'QueueName'],
    dead_letter_queue_id: ['.dlq', 'Ref'],
    dead_letter_queue_url: ['.dlq', 'Ref'],
    dead_letter_queue_arn: ['.dlq', 'Arn'],
    dead_letter_queue_arn_static: ['.dlq', 'Arn'],
    dead_letter_queue_name: ['.dlq', 'QueueName'],
    // the names of major version 3
    sqs_queue_id: ['', 'Ref'],
    sqs_queue_arn: ['', 'Arn'],
    sqs_queue_name: ['', 'QueueName'],
  },
  lambda: {
    lambda_function_arn: ['', 'Arn'],
    lambda_function_arn_static: ['', 'Arn'],
    lambda_function_qualified_arn: ['', 'Arn'],
    lambda_function_name: ['', 'Ref'],
  },
  eventbridge: {},
  sns: {
    topic_arn: ['', 'Ref'],
    topic_id: ['', 'Ref'],
    topic_name: ['', 'TopicName'],
  },
  'step-functions': {
    state_machine_arn: ['', 'Ref'],
    state_machine_id: ['', 'Ref'],
    state_machine_name: ['', 'Name'],
  },
};

/** The reference a module output stands for, when the module is one of these. */
export function moduleOutput(kind: Kind, name: string, output: string): IacValue | undefined {
  const known = OUTPUTS[kind][output];
  if (!known) return undefined;
  const id = `module.${name}${known[0]}`;
  return known[1] === 'Ref' ? new Intrinsic('Ref', id) : new Intrinsic('Fn::GetAtt', [id, known[1]]);
}

export interface ModuleResource {
  id: string;
  type: string;
  props: Props;
  node: SourceNode;
  metadata?: PlainObject;
}


/** A module input: its value, located at the attribute (key included). */
type Inputs = Map<string, Built>;

function inputsOf(converter: Converter, body: HclNode): Inputs {
  const out: Inputs = new Map();
  for (const item of namedChildren(body)) {
    if (item.type !== 'attribute') continue;
    const kids = namedChildren(item);
    const expression = kids.find((c) => c.type === 'expression');
    if (kids[0]?.type !== 'identifier' || !expression) continue;
    // a state machine's definition is JSON, often a string (`jsonencode(...)`, a heredoc)
    const built = kids[0].text === 'definition' ? converter.json(expression, true) : converter.expression(expression);
    out.set(kids[0].text, { value: built.value, source: { ...built.source, keyStart: kids[0].startIndex, keyEnd: kids[0].endIndex } });
  }
  return out;
}

/** Copies inputs to properties by name (`timeout` → `Timeout`); null is an absent input. */
function copy(inputs: Inputs, props: Props, names: Record<string, string>): void {
  for (const [input, property] of Object.entries(names)) {
    const built = inputs.get(input);
    if (built && built.value !== null) props.set(property, built);
  }
}

/** The members of an object value with their sources (an unknown or non-object value has none). */
function members(built: Built | undefined): [string, Built][] {
  if (!built || !isPlainObject(built.value)) return [];
  return Object.entries(built.value).map(([key, value]) => [key, { value, source: built.source.entries?.get(key) ?? built.source }]);
}

/**
 * The folder a Lambda module's `source_path` names, relative to the module's folder: a literal
 * path, also after `${path.module}/`; anything else (a variable, a list of sources) is not known.
 */
function sourceFolder(body: HclNode): string | undefined {
  for (const item of namedChildren(body)) {
    const kids = namedChildren(item);
    if (item.type !== 'attribute' || kids[0]?.text !== 'source_path') continue;
    const expression = kids.find((c) => c.type === 'expression');
    const m = expression && /^"(?:\$\{path\.module\}\/)?([^"$%\\]+)"$/.exec(expression.text.trim());
    return m ? m[1] : undefined;
  }
  return undefined;
}

/** A literal `false` (or `true`): only a literal decides whether something is created. */
const isFalse = (built: Built | undefined): boolean => built?.value === false;
const isTrue = (built: Built | undefined): boolean => built?.value === true;

/** The resources a registry module block creates (`block` locates the block, key at its name). */
export function moduleResources(kind: Kind, name: string, converter: Converter, body: HclNode, block: SourceNode): ModuleResource[] {
  const inputs = inputsOf(converter, body);
  if (isFalse(inputs.get('create'))) return [];
  const id = `module.${name}`;
  if (kind === 'sqs') return sqsResources(id, inputs, block);
  if (kind === 'eventbridge') return [...eventBridgeResources(id, inputs), ...scheduleResources(id, inputs)];
  if (kind === 'sns') return snsResources(id, inputs, block);
  if (kind === 'step-functions') return stateMachineResources(id, inputs, block);
  const out = lambdaResources(id, inputs, block);
  const folder = sourceFolder(body);
  if (out[0] && folder !== undefined) out[0].metadata = { [TERRAFORM_SOURCE_PATH]: folder };
  return out;
}

/**
 * The attributes of a resource type that a module passes through under the same names (its inputs
 * and the resource's attributes are spelled alike), less `left`.
 */
function passedThrough(type: string, ...left: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(TYPES[type]!.spec).filter((e): e is [string, string] => typeof e[1] === 'string' && !left.includes(e[0])));
}

const QUEUE_INPUTS = passedThrough('aws_sqs_queue', 'redrive_policy', 'redrive_allow_policy');

function sqsResources(id: string, inputs: Inputs, block: SourceNode): ModuleResource[] {
  const queue = new Props();
  copy(inputs, queue, QUEUE_INPUTS);
  const out: ModuleResource[] = [{ id, type: 'AWS::SQS::Queue', props: queue, node: block }];
  const createDlq = inputs.get('create_dlq');
  const policy = inputs.get('redrive_policy');
  if (isTrue(createDlq)) {
    const dlq = new Props();
    copy(inputs, dlq, { dlq_name: 'QueueName', fifo_queue: 'FifoQueue', dlq_message_retention_seconds: 'MessageRetentionPeriod', dlq_visibility_timeout_seconds: 'VisibilityTimeout' });
    out.push({ id: `${id}.dlq`, type: 'AWS::SQS::Queue', props: dlq, node: createDlq!.source });
    // the module merges the given policy over its own: the dead-letter queue it creates, 5 receives
    const redrive = new Props();
    redrive.set('deadLetterTargetArn', { value: new Intrinsic('Fn::GetAtt', [`${id}.dlq`, 'Arn']), source: createDlq!.source });
    redrive.set('maxReceiveCount', { value: 5, source: createDlq!.source });
    for (const [key, member] of members(policy)) redrive.set(key, member);
    queue.set('RedrivePolicy', { value: redrive.value, source: { ...createDlq!.source, entries: redrive.entries } });
  } else if (createDlq && !isFalse(createDlq)) {
    queue.set('RedrivePolicy', { value: new Unknown('create_dlq'), source: createDlq.source });
  } else if (policy && !(isPlainObject(policy.value) && Object.keys(policy.value).length === 0)) {
    queue.set('RedrivePolicy', policy);
  }
  return out;
}

const FUNCTION_INPUTS = {
  ...passedThrough('aws_lambda_function', 'role'),
  dead_letter_target_arn: 'DeadLetterConfig.TargetArn',
  environment_variables: 'Environment.Variables',
};

const MAPPING_MEMBERS = {
  ...passedThrough('aws_lambda_event_source_mapping', 'function_name'),
  destination_arn_on_failure: 'DestinationConfig.OnFailure.Destination',
};

function lambdaResources(id: string, inputs: Inputs, block: SourceNode): ModuleResource[] {
  if (isFalse(inputs.get('create_function')) || isTrue(inputs.get('create_layer'))) return [];
  const fn = new Props();
  copy(inputs, fn, FUNCTION_INPUTS);
  if (fn.value['ReservedConcurrentExecutions'] === -1) fn.delete('ReservedConcurrentExecutions');
  const out: ModuleResource[] = [{ id, type: 'AWS::Lambda::Function', props: fn, node: block }];
  const ref = (source: SourceNode): Built => ({ value: new Intrinsic('Ref', id), source: { ...source, synthetic: true } });

  const asyncConfig = inputs.get('create_async_event_config');
  if (asyncConfig && !isFalse(asyncConfig)) {
    const config = new Props();
    config.set('FunctionName', ref(asyncConfig.source));
    config.set('Qualifier', { value: '$LATEST', source: { ...asyncConfig.source, synthetic: true } });
    copy(inputs, config, { maximum_retry_attempts: 'MaximumRetryAttempts', maximum_event_age_in_seconds: 'MaximumEventAgeInSeconds', destination_on_failure: 'DestinationConfig.OnFailure.Destination' });
    if (!isTrue(asyncConfig)) config.set('DestinationConfig', { value: new Unknown('create_async_event_config'), source: asyncConfig.source });
    out.push({ id: `${id}.async_event_config`, type: 'AWS::Lambda::EventInvokeConfig', props: config, node: asyncConfig.source });
  }

  if (!isFalse(inputs.get('create_unqualified_alias_allowed_triggers'))) {
    for (const [key, entry] of members(inputs.get('event_source_mapping'))) {
      const mapping = new Props();
      mapping.set('FunctionName', ref(entry.source));
      const given = new Map(members(entry));
      for (const [member, property] of Object.entries(MAPPING_MEMBERS)) {
        const built = given.get(member);
        if (built && built.value !== null) mapping.set(property, built);
      }
      for (const [member, built] of members(given.get('scaling_config'))) if (member === 'maximum_concurrency' && built.value !== null) mapping.set('ScalingConfig.MaximumConcurrency', built);
      out.push({ id: `${id}.event_source_mapping.${key}`, type: 'AWS::Lambda::EventSourceMapping', props: mapping, node: entry.source });
    }
  }

  for (const [key, entry] of members(inputs.get('allowed_triggers'))) {
    const permission = new Props();
    permission.set('FunctionName', ref(entry.source));
    permission.set('Action', { value: 'lambda:InvokeFunction', source: { ...entry.source, synthetic: true } });
    const given = new Map(members(entry));
    const principal = given.get('principal');
    const service = given.get('service');
    if (principal) permission.set('Principal', principal);
    else if (service) permission.set('Principal', { value: typeof service.value === 'string' ? `${service.value}.amazonaws.com` : new Unknown('service'), source: service.source });
    const arn = given.get('source_arn');
    if (arn) permission.set('SourceArn', arn);
    out.push({ id: `${id}.allowed_triggers.${key}`, type: 'AWS::Lambda::Permission', props: permission, node: entry.source });
  }
  return out;
}

const TARGET_MEMBERS = {
  arn: 'Arn',
  name: 'Id',
  target_id: 'Id',
  input: 'Input',
  input_path: 'InputPath',
  dead_letter_arn: 'DeadLetterConfig.Arn',
  message_group_id: 'SqsParameters.MessageGroupId',
};

function eventBridgeResources(id: string, inputs: Inputs): ModuleResource[] {
  if (isFalse(inputs.get('create_rules'))) return [];
  const targets = new Map(members(inputs.get('targets')));
  const withTargets = !isFalse(inputs.get('create_targets'));
  const out: ModuleResource[] = [];
  for (const [key, entry] of members(inputs.get('rules'))) {
    const rule = new Props();
    const given = new Map(members(entry));
    for (const [member, property] of Object.entries({ description: 'Description', event_pattern: 'EventPattern', schedule_expression: 'ScheduleExpression' })) {
      const built = given.get(member);
      if (built && built.value !== null) rule.set(property, built);
    }
    const enabled = given.get('enabled') ?? given.get('state');
    if (enabled && typeof enabled.value === 'boolean') rule.set('State', { value: enabled.value ? 'ENABLED' : 'DISABLED', source: enabled.source });
    else if (enabled && typeof enabled.value === 'string') rule.set('State', { value: enabled.value.toUpperCase(), source: enabled.source });
    const list = targets.get(key);
    if (withTargets && list) {
      if (Array.isArray(list.value)) {
        const items = list.value.map((value, i) => ({ value, source: list.source.items?.[i] ?? list.source }));
        const built = items.map((item) => {
          const target = new Props();
          const members_ = new Map(members(item));
          for (const [member, property] of Object.entries(TARGET_MEMBERS)) {
            const b = members_.get(member);
            if (b && b.value !== null && !(property === 'Id' && Object.hasOwn(target.value, 'Id'))) target.set(property, b);
          }
          for (const [member, b] of members(members_.get('retry_policy'))) {
            if (member === 'maximum_retry_attempts') target.set('RetryPolicy.MaximumRetryAttempts', b);
            else if (member === 'maximum_event_age_in_seconds') target.set('RetryPolicy.MaximumEventAgeInSeconds', b);
          }
          return { value: isPlainObject(item.value) ? target.value : new Unknown('target'), source: { ...item.source, entries: target.entries } };
        });
        rule.set('Targets', { value: built.map((b) => b.value), source: { ...list.source, items: built.map((b) => b.source) } });
      } else {
        rule.set('Targets', list);
      }
    }
    out.push({ id: `${id}.rules.${key}`, type: 'AWS::Events::Rule', props: rule, node: entry.source });
  }
  return out;
}

const SUBSCRIPTION_MEMBERS = passedThrough('aws_sns_topic_subscription', 'topic_arn');

/** The topic, and one subscription to it per entry of `subscriptions` (none with `create_subscription = false`). */
function snsResources(id: string, inputs: Inputs, block: SourceNode): ModuleResource[] {
  const topic = new Props();
  copy(inputs, topic, { name: 'TopicName', fifo_topic: 'FifoTopic' });
  const out: ModuleResource[] = [{ id, type: 'AWS::SNS::Topic', props: topic, node: block }];
  if (isFalse(inputs.get('create_subscription'))) return out;
  for (const [key, entry] of members(inputs.get('subscriptions'))) {
    const subscription = new Props();
    subscription.set('TopicArn', { value: new Intrinsic('Ref', id), source: { ...entry.source, synthetic: true } });
    const given = new Map(members(entry));
    for (const [member, property] of Object.entries(SUBSCRIPTION_MEMBERS)) {
      const built = given.get(member);
      if (built && built.value !== null) subscription.set(property, built);
    }
    out.push({ id: `${id}.subscriptions.${key}`, type: 'AWS::SNS::Subscription', props: subscription, node: entry.source });
  }
  return out;
}

/** The state machine: its `definition`, and `type` as the module passes it (upper-cased; STANDARD by default). */
function stateMachineResources(id: string, inputs: Inputs, block: SourceNode): ModuleResource[] {
  const machine = new Props();
  copy(inputs, machine, { name: 'StateMachineName', definition: 'Definition' });
  const type = inputs.get('type');
  if (type && typeof type.value === 'string') machine.set('StateMachineType', { value: type.value.toUpperCase(), source: type.source });
  else if (type && type.value !== null) machine.set('StateMachineType', type);
  return [{ id, type: 'AWS::StepFunctions::StateMachine', props: machine, node: block }];
}

/**
 * EventBridge Scheduler schedules, one per entry of `schedules` (none with
 * `create_schedules = false`): `schedule_expression`, `timezone`, `state` (a boolean, enabled by
 * default), a flexible time window only with `use_flexible_time_window = true`, and the target
 * (`arn`, `input`, `dead_letter_arn`, `retry_policy`).
 */
function scheduleResources(id: string, inputs: Inputs): ModuleResource[] {
  if (isFalse(inputs.get('create_schedules'))) return [];
  const out: ModuleResource[] = [];
  for (const [key, entry] of members(inputs.get('schedules'))) {
    const schedule = new Props();
    const given = new Map(members(entry));
    for (const [member, property] of Object.entries({ schedule_expression: 'ScheduleExpression', timezone: 'ScheduleExpressionTimezone' })) {
      const built = given.get(member);
      if (built && built.value !== null) schedule.set(property, built);
    }
    const state = given.get('state');
    if (state && typeof state.value === 'boolean') schedule.set('State', { value: state.value ? 'ENABLED' : 'DISABLED', source: state.source });
    else if (state) schedule.set('State', { value: new Unknown('state'), source: state.source });
    // the module's window is off unless `use_flexible_time_window` is true
    const flexible = given.get('use_flexible_time_window');
    const mode = !flexible || flexible.value === false ? 'OFF' : flexible.value === true ? 'FLEXIBLE' : new Unknown('use_flexible_time_window');
    schedule.set('FlexibleTimeWindow.Mode', { value: mode, source: flexible?.source ?? { ...entry.source, synthetic: true } });
    const window = given.get('maximum_window_in_minutes');
    if (window && window.value !== null) schedule.set('FlexibleTimeWindow.MaximumWindowInMinutes', window);
    for (const [member, property] of Object.entries({ arn: 'Target.Arn', input: 'Target.Input', dead_letter_arn: 'Target.DeadLetterConfig.Arn' })) {
      const built = given.get(member);
      if (built && built.value !== null) schedule.set(property, built);
    }
    for (const [member, b] of members(given.get('retry_policy'))) {
      if (member === 'maximum_retry_attempts') schedule.set('Target.RetryPolicy.MaximumRetryAttempts', b);
      else if (member === 'maximum_event_age_in_seconds') schedule.set('Target.RetryPolicy.MaximumEventAgeInSeconds', b);
    }
    out.push({ id: `${id}.schedules.${key}`, type: 'AWS::Scheduler::Schedule', props: schedule, node: entry.source });
  }
  return out;
}
