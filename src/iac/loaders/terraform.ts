/**
 * Terraform (HCL2) loader: maps the `aws_*` resources the rules need to CloudFormation types and
 * property names, with a source position for every logical path.
 *
 * - Logical ids are `<type>.<name>` (`aws_sqs_queue.dlq`). A resource with `count`/`for_each` is
 *   one resource.
 * - References `aws_x.name.arn` become `Fn::GetAtt [aws_x.name, Arn]` (`.id` becomes `Ref`,
 *   `.url` of a queue `QueueUrl`, `.name` of a queue `QueueName`, other attributes PascalCase), so
 *   `refTarget` follows them. `var.*`, `local.*`, `data.*`, `module.*`, function calls other than
 *   `jsonencode`, conditionals, `for` expressions and string interpolations are `Unknown` values
 *   (a string like `"${aws_x.y.arn}"` that is one interpolation is the reference itself).
 * - JSON carried in `redrive_policy`, `redrive_allow_policy`, `definition`, `event_pattern`,
 *   `filter_policy` and `delivery_policy` (`jsonencode({...})` or a heredoc, with positions; a
 *   quoted JSON string stays a string, except `definition`, which always becomes an object).
 * - `aws_sqs_queue_redrive_policy` / `aws_sqs_queue_redrive_allow_policy` are folded into the
 *   queue they name in the same file (`RedrivePolicy` / `RedriveAllowPolicy` located at the
 *   folding resource); when the queue is not in the file they stay as resources of type
 *   `Terraform::<type>` with `QueueUrl` and the policy, and `linkTerraformModules` sets the
 *   policy on the queue when it is declared in another file of the same directory.
 * - Each file is one template; references to resources of other files of the module are
 *   references to resources the template does not have (unknown values for `refTarget`).
 * - `aws_cloudwatch_event_target` blocks are folded into their rule's `Targets` (in source
 *   order, each target located at its own block); a target whose rule is not in the file becomes
 *   an `AWS::Events::Rule` resource with the target's logical id and only `Targets`.
 * - `aws_api_gateway_integration` becomes an `AWS::ApiGateway::Method` whose `Integration` holds
 *   the integration settings.
 * - Unmapped `aws_*` resources are kept as `Terraform::<type>` resources without properties, so
 *   references to them are references (not unknown values).
 * - Defaults are not filled in: an absent attribute is an absent property (Terraform's defaults
 *   for these resources are CloudFormation's), except `reserved_concurrent_executions = -1`
 *   (Terraform's "no reservation"), which is dropped.
 */
import { loadJson } from '../json.js';
import { Intrinsic, Unknown, isPlainObject, type IacValue, type PlainObject, type ParseProblem, type Resource, type Template } from '../model.js';
import type { SourceNode } from '../yaml.js';
import { hclReady, namedChildren, unescapeHcl, withHclTree, type HclNode } from '../hcl.js';
import type { LoadTemplateResult } from './cloudformation.js';
import { Props, assembleTemplate, setOwn, type Built } from './synthesized.js';


/** Attribute spec: CloudFormation name (dots create nested mappings), or a nested block spec. */
type Spec = { [tf: string]: string | BlockSpec };
interface BlockSpec {
  name: string;
  spec?: Spec;
  /** Repeated blocks become a list. */
  list?: boolean;
}

const JSON_ATTRIBUTES = new Set(['redrive_policy', 'redrive_allow_policy', 'definition', 'event_pattern', 'filter_policy', 'delivery_policy']);

const RETRY_POLICY: BlockSpec = {
  name: 'RetryPolicy',
  spec: { maximum_event_age_in_seconds: 'MaximumEventAgeInSeconds', maximum_retry_attempts: 'MaximumRetryAttempts' },
};
const DEAD_LETTER_ARN: BlockSpec = { name: 'DeadLetterConfig', spec: { arn: 'Arn' } };

interface TypeSpec {
  type: string;
  spec: Spec;
}

const TYPES: Record<string, TypeSpec> = {
  aws_sqs_queue: {
    type: 'AWS::SQS::Queue',
    spec: {
      name: 'QueueName',
      visibility_timeout_seconds: 'VisibilityTimeout',
      message_retention_seconds: 'MessageRetentionPeriod',
      delay_seconds: 'DelaySeconds',
      receive_wait_time_seconds: 'ReceiveMessageWaitTimeSeconds',
      max_message_size: 'MaximumMessageSize',
      redrive_policy: 'RedrivePolicy',
      redrive_allow_policy: 'RedriveAllowPolicy',
      fifo_queue: 'FifoQueue',
      content_based_deduplication: 'ContentBasedDeduplication',
      deduplication_scope: 'DeduplicationScope',
      fifo_throughput_limit: 'FifoThroughputLimit',
      kms_master_key_id: 'KmsMasterKeyId',
      sqs_managed_sse_enabled: 'SqsManagedSseEnabled',
    },
  },
  aws_sqs_queue_redrive_policy: { type: 'Terraform::aws_sqs_queue_redrive_policy', spec: { queue_url: 'QueueUrl', redrive_policy: 'RedrivePolicy' } },
  aws_sqs_queue_redrive_allow_policy: {
    type: 'Terraform::aws_sqs_queue_redrive_allow_policy',
    spec: { queue_url: 'QueueUrl', redrive_allow_policy: 'RedriveAllowPolicy' },
  },
  aws_lambda_function: {
    type: 'AWS::Lambda::Function',
    spec: {
      function_name: 'FunctionName',
      handler: 'Handler',
      runtime: 'Runtime',
      role: 'Role',
      timeout: 'Timeout',
      memory_size: 'MemorySize',
      reserved_concurrent_executions: 'ReservedConcurrentExecutions',
      package_type: 'PackageType',
      architectures: 'Architectures',
      dead_letter_config: { name: 'DeadLetterConfig', spec: { target_arn: 'TargetArn' } },
      environment: { name: 'Environment', spec: { variables: 'Variables' } },
    },
  },
  aws_lambda_event_source_mapping: {
    type: 'AWS::Lambda::EventSourceMapping',
    spec: {
      event_source_arn: 'EventSourceArn',
      function_name: 'FunctionName',
      enabled: 'Enabled',
      batch_size: 'BatchSize',
      maximum_batching_window_in_seconds: 'MaximumBatchingWindowInSeconds',
      starting_position: 'StartingPosition',
      starting_position_timestamp: 'StartingPositionTimestamp',
      maximum_retry_attempts: 'MaximumRetryAttempts',
      maximum_record_age_in_seconds: 'MaximumRecordAgeInSeconds',
      bisect_batch_on_function_error: 'BisectBatchOnFunctionError',
      parallelization_factor: 'ParallelizationFactor',
      tumbling_window_in_seconds: 'TumblingWindowInSeconds',
      function_response_types: 'FunctionResponseTypes',
      topics: 'Topics',
      queues: 'Queues',
      destination_config: { name: 'DestinationConfig', spec: { on_failure: { name: 'OnFailure', spec: { destination_arn: 'Destination' } } } },
      scaling_config: { name: 'ScalingConfig', spec: { maximum_concurrency: 'MaximumConcurrency' } },
      self_managed_event_source: { name: 'SelfManagedEventSource', spec: { endpoints: 'Endpoints' } },
      self_managed_kafka_event_source_config: { name: 'SelfManagedKafkaEventSourceConfig', spec: { consumer_group_id: 'ConsumerGroupId' } },
      amazon_managed_kafka_event_source_config: { name: 'AmazonManagedKafkaEventSourceConfig', spec: { consumer_group_id: 'ConsumerGroupId' } },
      document_db_event_source_config: { name: 'DocumentDBEventSourceConfig', spec: { database_name: 'DatabaseName', collection_name: 'CollectionName' } },
    },
  },
  aws_lambda_function_event_invoke_config: {
    type: 'AWS::Lambda::EventInvokeConfig',
    spec: {
      function_name: 'FunctionName',
      qualifier: 'Qualifier',
      maximum_retry_attempts: 'MaximumRetryAttempts',
      maximum_event_age_in_seconds: 'MaximumEventAgeInSeconds',
      destination_config: {
        name: 'DestinationConfig',
        spec: {
          on_failure: { name: 'OnFailure', spec: { destination: 'Destination' } },
          on_success: { name: 'OnSuccess', spec: { destination: 'Destination' } },
        },
      },
    },
  },
  aws_lambda_permission: {
    type: 'AWS::Lambda::Permission',
    spec: { action: 'Action', function_name: 'FunctionName', principal: 'Principal', source_arn: 'SourceArn', source_account: 'SourceAccount', qualifier: 'Qualifier' },
  },
  aws_lambda_alias: { type: 'AWS::Lambda::Alias', spec: { function_name: 'FunctionName', name: 'Name', function_version: 'FunctionVersion' } },
  aws_cloudwatch_event_rule: {
    type: 'AWS::Events::Rule',
    spec: {
      name: 'Name',
      description: 'Description',
      schedule_expression: 'ScheduleExpression',
      event_pattern: 'EventPattern',
      event_bus_name: 'EventBusName',
      state: 'State',
      is_enabled: 'State',
    },
  },
  aws_cloudwatch_event_target: {
    type: 'AWS::Events::Rule',
    spec: {
      rule: 'Rule',
      event_bus_name: 'EventBusName',
      target_id: 'Id',
      arn: 'Arn',
      role_arn: 'RoleArn',
      input: 'Input',
      input_path: 'InputPath',
      retry_policy: RETRY_POLICY,
      dead_letter_config: DEAD_LETTER_ARN,
      sqs_target: { name: 'SqsParameters', spec: { message_group_id: 'MessageGroupId' } },
    },
  },
  aws_scheduler_schedule: {
    type: 'AWS::Scheduler::Schedule',
    spec: {
      name: 'Name',
      group_name: 'GroupName',
      schedule_expression: 'ScheduleExpression',
      schedule_expression_timezone: 'ScheduleExpressionTimezone',
      state: 'State',
      flexible_time_window: { name: 'FlexibleTimeWindow', spec: { mode: 'Mode', maximum_window_in_minutes: 'MaximumWindowInMinutes' } },
      target: {
        name: 'Target',
        spec: {
          arn: 'Arn',
          role_arn: 'RoleArn',
          input: 'Input',
          retry_policy: RETRY_POLICY,
          dead_letter_config: DEAD_LETTER_ARN,
          sqs_parameters: { name: 'SqsParameters', spec: { message_group_id: 'MessageGroupId' } },
        },
      },
    },
  },
  aws_sns_topic: { type: 'AWS::SNS::Topic', spec: { name: 'TopicName', fifo_topic: 'FifoTopic' } },
  aws_sns_topic_subscription: {
    type: 'AWS::SNS::Subscription',
    spec: {
      topic_arn: 'TopicArn',
      protocol: 'Protocol',
      endpoint: 'Endpoint',
      redrive_policy: 'RedrivePolicy',
      delivery_policy: 'DeliveryPolicy',
      filter_policy: 'FilterPolicy',
      raw_message_delivery: 'RawMessageDelivery',
    },
  },
  aws_sfn_state_machine: { type: 'AWS::StepFunctions::StateMachine', spec: { name: 'StateMachineName', definition: 'Definition', role_arn: 'RoleArn', type: 'StateMachineType' } },
  aws_api_gateway_integration: {
    type: 'AWS::ApiGateway::Method',
    spec: {
      rest_api_id: 'RestApiId',
      resource_id: 'ResourceId',
      http_method: 'HttpMethod',
      type: 'Integration.Type',
      uri: 'Integration.Uri',
      integration_http_method: 'Integration.IntegrationHttpMethod',
      timeout_milliseconds: 'Integration.TimeoutInMillis',
    },
  },
  aws_apigatewayv2_integration: {
    type: 'AWS::ApiGatewayV2::Integration',
    spec: {
      api_id: 'ApiId',
      integration_type: 'IntegrationType',
      integration_uri: 'IntegrationUri',
      integration_method: 'IntegrationMethod',
      payload_format_version: 'PayloadFormatVersion',
      timeout_milliseconds: 'TimeoutInMillis',
    },
  },
  aws_lb_target_group: {
    type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
    spec: { name: 'Name', target_type: 'TargetType', protocol: 'Protocol', port: 'Port', vpc_id: 'VpcId', lambda_multi_value_headers_enabled: 'LambdaMultiValueHeadersEnabled' },
  },
  aws_kinesis_stream: { type: 'AWS::Kinesis::Stream', spec: { name: 'Name', shard_count: 'ShardCount' } },
  aws_kinesis_stream_consumer: { type: 'AWS::Kinesis::StreamConsumer', spec: { name: 'ConsumerName', stream_arn: 'StreamARN' } },
  aws_dynamodb_table: { type: 'AWS::DynamoDB::Table', spec: { name: 'TableName' } },
  aws_msk_cluster: { type: 'AWS::MSK::Cluster', spec: { cluster_name: 'ClusterName' } },
  aws_msk_serverless_cluster: { type: 'AWS::MSK::ServerlessCluster', spec: { cluster_name: 'ClusterName' } },
  aws_mq_broker: { type: 'AWS::AmazonMQ::Broker', spec: { broker_name: 'BrokerName' } },
  aws_docdb_cluster: { type: 'AWS::DocDB::DBCluster', spec: { cluster_identifier: 'DBClusterIdentifier' } },
  aws_s3_bucket: { type: 'AWS::S3::Bucket', spec: { bucket: 'BucketName' } },
  aws_cloudwatch_event_bus: { type: 'AWS::Events::EventBus', spec: { name: 'Name' } },
  aws_api_gateway_rest_api: { type: 'AWS::ApiGateway::RestApi', spec: { name: 'Name' } },
  aws_apigatewayv2_api: { type: 'AWS::ApiGatewayV2::Api', spec: { name: 'Name', protocol_type: 'ProtocolType' } },
};

/** Reference attributes with a CloudFormation name that is not plain PascalCase, per resource type. */
const ATTRIBUTE_NAMES: Record<string, Record<string, string>> = {
  aws_sqs_queue: { url: 'QueueUrl', name: 'QueueName' },
  aws_sns_topic: { name: 'TopicName' },
  aws_kinesis_stream: { name: 'Name' },
};

/** Roots of expressions whose value is not known from the file. */
const UNKNOWN_ROOTS = new Set(['var', 'local', 'data', 'module', 'each', 'count', 'path', 'terraform', 'self']);

const MAX_DEPTH = 200;

function pascal(snake: string): string {
  return snake
    .split('_')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : ''))
    .join('');
}

function src(node: HclNode): SourceNode {
  return { start: node.startIndex, end: node.endIndex, keyStart: -1, keyEnd: -1 };
}

/** Text of a plain string label or a `string_lit` without interpolation. */
function labelText(node: HclNode): string {
  if (node.type === 'identifier') return node.text;
  const literal = namedChildren(node).filter((c) => c.type === 'template_literal');
  return unescapeHcl(literal.map((c) => c.text).join(''));
}

class Converter {
  constructor(private readonly text: string) {}

  unknown(node: HclNode): Built {
    let text = node.text;
    // a quoted template: the string without its quotes (`orders-${var.env}`)
    if (/^"[^]*"$/.test(text) && !text.includes('\n')) text = text.slice(1, -1);
    return { value: new Unknown(text.length > 200 ? `${text.slice(0, 197)}...` : text), source: src(node) };
  }

  /** An expression (or any expression-like node) as a model value. */
  expression(node: HclNode, depth = 0): Built {
    if (depth > MAX_DEPTH) return this.unknown(node);
    const kids = namedChildren(node);
    switch (node.type) {
      case 'expression': {
        if (kids.length === 1) return this.expression(kids[0]!, depth + 1);
        return this.traversal(node, kids);
      }
      case 'literal_value':
      case 'collection_value':
      case 'template_expr':
        return kids.length === 1 ? this.expression(kids[0]!, depth + 1) : this.unknown(node);
      case 'numeric_lit': {
        const n = Number(node.text);
        return Number.isFinite(n) ? { value: n, source: src(node) } : this.unknown(node);
      }
      case 'bool_lit':
        return { value: node.text === 'true', source: src(node) };
      case 'null_lit':
        return { value: null, source: src(node) };
      case 'string_lit':
        return { value: labelText(node), source: src(node) };
      case 'quoted_template':
      case 'heredoc_template':
        return this.template(node, depth);
      case 'tuple': {
        const items = kids.filter((c) => c.type === 'expression').map((c) => this.expression(c, depth + 1));
        return { value: items.map((i) => i.value), source: { ...src(node), items: items.map((i) => i.source) } };
      }
      case 'object':
        return this.object(node, kids, depth);
      case 'function_call':
        return this.call(node, kids, depth);
      case 'variable_expr':
        return this.traversal(node, [node]);
      case 'operation': {
        const unary = kids[0];
        if (unary?.type === 'unary_operation' && unary.text.startsWith('-')) {
          const operand = namedChildren(unary)[0];
          if (operand) {
            const inner = this.expression(operand, depth + 1);
            if (typeof inner.value === 'number') return { value: -inner.value, source: src(node) };
          }
        }
        return this.unknown(node);
      }
      default:
        return this.unknown(node);
    }
  }

  private object(node: HclNode, kids: HclNode[], depth: number): Built {
    const value: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    for (const elem of kids) {
      if (elem.type !== 'object_elem') continue;
      const [keyNode, valueNode] = namedChildren(elem).filter((c) => c.type === 'expression');
      if (!keyNode || !valueNode) return this.unknown(node);
      const key = this.objectKey(keyNode);
      if (key === undefined) return this.unknown(node);
      const built = this.expression(valueNode, depth + 1);
      setOwn(value, key, built.value);
      entries.set(key, { ...built.source, keyStart: keyNode.startIndex, keyEnd: keyNode.endIndex });
    }
    return { value, source: { ...src(node), entries } };
  }

  /** An object key: a bare identifier or a literal string; anything else is not known. */
  private objectKey(node: HclNode): string | undefined {
    const kids = namedChildren(node);
    if (kids.length !== 1) return undefined;
    const only = kids[0]!;
    if (only.type === 'variable_expr') return only.text;
    if (only.type === 'literal_value') {
      const literal = namedChildren(only)[0];
      if (literal?.type === 'string_lit') return labelText(literal);
      return literal?.text;
    }
    return undefined;
  }

  private call(node: HclNode, kids: HclNode[], depth: number): Built {
    const name = kids[0]?.type === 'identifier' ? kids[0].text : '';
    const args = kids.find((c) => c.type === 'function_arguments');
    const argList = args ? namedChildren(args).filter((c) => c.type === 'expression') : [];
    if (name === 'jsonencode' && argList.length === 1 && !args!.text.trimEnd().endsWith('...')) {
      return this.expression(argList[0]!, depth + 1);
    }
    return this.unknown(node);
  }

  /** `aws_x.name[.attr]`, `var.x`, ...: a reference to a resource of the file, or unknown. */
  private traversal(node: HclNode, kids: HclNode[]): Built {
    const head = kids[0];
    if (head?.type !== 'variable_expr') return this.unknown(node);
    const root = head.text;
    if (UNKNOWN_ROOTS.has(root) || !/^aws_[a-z0-9_]+$/.test(root)) return this.unknown(node);
    const segments: string[] = [];
    for (const part of kids.slice(1)) {
      if (part.type === 'get_attr') {
        const id = namedChildren(part).find((c) => c.type === 'identifier');
        if (!id) return this.unknown(node);
        segments.push(id.text);
      } else if (part.type === 'index') {
        // `aws_x.name[0].arn` (count) / `aws_x.name["k"].arn` (for_each): the one modelled resource
        if (segments.length !== 1) return this.unknown(node);
      } else {
        return this.unknown(node); // splat: a list
      }
    }
    if (segments.length !== 2) return this.unknown(node);
    const [name, attribute] = segments as [string, string];
    const id = `${root}.${name}`;
    if (attribute === 'id') return { value: new Intrinsic('Ref', id), source: src(node) };
    const cfnAttribute = ATTRIBUTE_NAMES[root]?.[attribute] ?? pascal(attribute);
    return { value: new Intrinsic('Fn::GetAtt', [id, cfnAttribute]), source: src(node) };
  }

  /** Template parts: literal text (decoded) and interpolations/directives. */
  private parts(node: HclNode): { literal: boolean; node: HclNode; text: string }[] {
    const out: { literal: boolean; node: HclNode; text: string }[] = [];
    const heredoc = node.type === 'heredoc_template';
    for (const child of namedChildren(node)) {
      if (child.type === 'template_literal') out.push({ literal: true, node: child, text: heredoc ? child.text : unescapeHcl(child.text) });
      else if (child.type === 'template_interpolation' || child.type === 'template_directive') out.push({ literal: false, node: child, text: child.text });
    }
    return out;
  }

  /** Content range of a heredoc (between the opening line and the closing marker). */
  private heredocContent(node: HclNode): { start: number; end: number; strip: boolean } | undefined {
    const ids = namedChildren(node).filter((c) => c.type === 'heredoc_identifier');
    const open = namedChildren(node).find((c) => c.type === 'heredoc_start');
    if (ids.length < 2 || !open) return undefined;
    let start = ids[0]!.endIndex;
    if (this.text[start] === '\r') start++;
    if (this.text[start] === '\n') start++;
    let end = ids[ids.length - 1]!.startIndex;
    while (end > start && (this.text[end - 1] === ' ' || this.text[end - 1] === '\t')) end--;
    return { start, end: Math.max(start, end), strip: open.text.includes('-') };
  }

  private template(node: HclNode, depth: number): Built {
    const parts = this.parts(node);
    if (parts.every((p) => p.literal)) {
      if (node.type === 'heredoc_template') {
        const content = this.heredocContent(node);
        if (!content) return this.unknown(node);
        let text = this.text.slice(content.start, content.end).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
        if (content.strip) text = stripIndent(text);
        return { value: text, source: src(node) };
      }
      return { value: parts.map((p) => p.text).join(''), source: src(node) };
    }
    // `"${aws_x.y.arn}"`: one interpolation and nothing else is the expression itself
    if (parts.length === 1 && parts[0]!.node.type === 'template_interpolation') {
      const inner = namedChildren(parts[0]!.node).find((c) => c.type === 'expression');
      if (inner) return { ...this.expression(inner, depth + 1), source: src(node) };
    }
    return this.unknown(node);
  }

  /** A JSON-carrying attribute value: `jsonencode(...)`, a heredoc or a string with JSON. */
  json(node: HclNode, parseStrings: boolean): Built {
    const template = findTemplate(node);
    if (template?.type === 'heredoc_template') return this.heredocJson(node, template);
    if (template?.type === 'quoted_template') return this.quotedJson(node, template);
    const built = this.expression(node);
    if (parseStrings && typeof built.value === 'string') {
      try {
        return { value: plainJson(JSON.parse(built.value)), source: built.source };
      } catch {
        return { value: new Unknown('a JSON document that is not valid JSON'), source: built.source };
      }
    }
    return built;
  }

  /** A heredoc with JSON: loaded with positions; interpolations inside strings are kept. */
  private heredocJson(node: HclNode, template: HclNode): Built {
    const content = this.heredocContent(template);
    if (!content) return this.unknown(node);
    const interpolations = this.parts(template).filter((p) => !p.literal);
    let text = this.text.slice(content.start, content.end);
    for (const p of interpolations) {
      const from = p.node.startIndex - content.start;
      const to = p.node.endIndex - content.start;
      if (from < 0 || to > text.length) return this.unknown(node);
      text = text.slice(0, from) + '\uE000'.repeat(to - from) + text.slice(to);
    }
    const loaded = loadJson(text);
    if (loaded.value === undefined || !loaded.source) return { value: new Unknown('a JSON document that is not valid JSON'), source: src(node) };
    shift(loaded.source, content.start);
    const restore = (value: IacValue, source: SourceNode): IacValue => {
      if (typeof value === 'string') {
        if (!value.includes('\uE000')) return value;
        const only = interpolations.find((p) => p.node.startIndex === source.start + 1 && p.node.endIndex === source.end - 1);
        const expression = only && namedChildren(only.node).find((c) => c.type === 'expression');
        if (expression && only.node.type === 'template_interpolation') return this.expression(expression).value;
        return new Unknown(this.text.slice(source.start, source.end));
      }
      if (Array.isArray(value)) return value.map((v, i) => (source.items?.[i] ? restore(v, source.items[i]) : v));
      if (isPlainObject(value)) {
        for (const key of Object.keys(value)) {
          const inner = source.entries?.get(key);
          if (inner) setOwn(value, key, restore(value[key]!, inner));
        }
      }
      return value;
    };
    return { value: restore(loaded.value, loaded.source), source: loaded.source };
  }

  /** A quoted string with JSON and interpolations: parsed without inner positions. */
  private quotedJson(node: HclNode, template: HclNode): Built {
    const parts = this.parts(template);
    if (parts.every((p) => p.literal)) return this.json(node, false);
    const values: IacValue[] = [];
    let text = '';
    for (const p of parts) {
      if (p.literal) text += p.text;
      else {
        const expression = namedChildren(p.node).find((c) => c.type === 'expression');
        values.push(expression && p.node.type === 'template_interpolation' ? this.expression(expression).value : new Unknown(p.text));
        text += `\uE000${values.length - 1}\uE001`;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { value: new Unknown('a JSON document that is not valid JSON'), source: src(node) };
    }
    const convert = (v: unknown): IacValue => {
      if (typeof v === 'string') {
        const only = /^\uE000(\d+)\uE001$/.exec(v);
        if (only) return values[Number(only[1])]!;
        return v.includes('\uE000') ? new Unknown(v.replace(/\uE000(\d+)\uE001/g, '${...}')) : v;
      }
      if (Array.isArray(v)) return v.map(convert);
      if (v !== null && typeof v === 'object') {
        const out: PlainObject = {};
        for (const [k, inner] of Object.entries(v)) setOwn(out, k, convert(inner));
        return out;
      }
      return v as IacValue;
    };
    return { value: convert(parsed), source: src(node) };
  }
}

function findTemplate(node: HclNode): HclNode | undefined {
  let current: HclNode | undefined = node;
  for (let i = 0; i < 4 && current; i++) {
    if (current.type === 'quoted_template' || current.type === 'heredoc_template') return current;
    const kids = namedChildren(current);
    current = kids.length === 1 ? kids[0] : undefined;
  }
  return undefined;
}

function plainJson(v: unknown): IacValue {
  if (Array.isArray(v)) return v.map(plainJson);
  if (v !== null && typeof v === 'object') {
    const out: PlainObject = {};
    for (const [k, inner] of Object.entries(v)) setOwn(out, k, plainJson(inner));
    return out;
  }
  return v as IacValue;
}

function stripIndent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/** Moves every offset of a source tree by `delta` (iteratively). */
function shift(root: SourceNode, delta: number): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.start += delta;
    node.end += delta;
    if (node.keyStart >= 0) {
      node.keyStart += delta;
      node.keyEnd += delta;
    }
    if (node.entries) stack.push(...node.entries.values());
    if (node.items) stack.push(...node.items);
  }
}

interface TfResource {
  tfType: string;
  id: string;
  type: string;
  block: SourceNode;
  typeLabel: SourceNode;
  props: Props;
}

function convertBody(converter: Converter, body: HclNode | undefined, spec: Spec, props: Props, depth: number): void {
  if (!body || depth > MAX_DEPTH) return;
  const lists = new Map<string, { value: IacValue[]; source: SourceNode }>();
  for (const item of namedChildren(body)) {
    const kids = namedChildren(item);
    const name = kids[0]?.type === 'identifier' ? kids[0].text : undefined;
    if (!name) continue;
    if (item.type === 'attribute') {
      const target = spec[name];
      const expression = kids.find((c) => c.type === 'expression');
      if (typeof target !== 'string' || !expression) continue;
      const built = JSON_ATTRIBUTES.has(name) ? converter.json(expression, name === 'definition') : converter.expression(expression);
      props.set(target, { value: built.value, source: { ...built.source, keyStart: kids[0]!.startIndex, keyEnd: kids[0]!.endIndex } });
    } else if (item.type === 'block') {
      const labels = kids.filter((c) => c.type === 'string_lit' || (c.type === 'identifier' && c !== kids[0]));
      const dynamic = name === 'dynamic' && labels.length === 1;
      const blockName = dynamic ? labelText(labels[0]!) : name;
      const target = spec[blockName];
      if (target === undefined || typeof target === 'string') continue;
      const key = { keyStart: kids[0]!.startIndex, keyEnd: (labels[labels.length - 1] ?? kids[0]!).endIndex };
      if (dynamic) {
        props.set(target.name, { value: new Unknown(`dynamic "${blockName}"`), source: { ...src(item), ...key } });
        continue;
      }
      const inner = new Props();
      convertBody(converter, kids.find((c) => c.type === 'body'), target.spec ?? {}, inner, depth + 1);
      const source: SourceNode = { ...src(item), ...key, entries: inner.entries };
      if (target.list) {
        let list = lists.get(target.name);
        if (!list) {
          list = { value: [], source: { ...src(item), ...key, items: [] } };
          lists.set(target.name, list);
          props.set(target.name, list);
        }
        list.value.push(inner.value);
        list.source.items!.push(source);
        list.source.end = item.endIndex;
      } else if (!Object.hasOwn(props.value, target.name)) {
        props.set(target.name, { value: inner.value, source });
      }
    }
  }
}

/** The queue (in this file) a `queue_url` value names. */
function queueId(value: IacValue | undefined, resources: Map<string, TfResource>): string | undefined {
  if (!(value instanceof Intrinsic)) return undefined;
  const id = value.name === 'Ref' ? value.argument : Array.isArray(value.argument) ? value.argument[0] : undefined;
  if (typeof id !== 'string') return undefined;
  return resources.get(id)?.type === 'AWS::SQS::Queue' ? id : undefined;
}

/** The rule (in this file) an event target's `rule` names. */
function ruleId(value: IacValue | undefined, resources: Map<string, TfResource>): string | undefined {
  if (!(value instanceof Intrinsic)) return undefined;
  const id = value.name === 'Ref' ? value.argument : Array.isArray(value.argument) ? value.argument[0] : undefined;
  if (typeof id !== 'string') return undefined;
  const target = resources.get(id);
  return target?.tfType === 'aws_cloudwatch_event_rule' ? id : undefined;
}

/** Loads a Terraform file. Needs `initHcl()` to have completed. Never throws for bad input. */
export function loadTerraform(file: string, text: string): LoadTemplateResult {
  if (!hclReady()) return { problems: [{ message: 'the HCL parser is not initialised', offset: 0 }] };
  return withHclTree(text, (root, error) => {
    const problems: ParseProblem[] = error ? [error] : [];
    const converter = new Converter(text);
    const resources = new Map<string, TfResource>();
    const body = namedChildren(root).find((c) => c.type === 'body');
    for (const block of body ? namedChildren(body) : []) {
      if (block.type !== 'block') continue;
      const kids = namedChildren(block);
      if (kids[0]?.text !== 'resource') continue;
      const labels = kids.filter((c) => c.type === 'string_lit' || (c.type === 'identifier' && c !== kids[0]));
      if (labels.length < 2) continue;
      const tfType = labelText(labels[0]!);
      const name = labelText(labels[1]!);
      if (!tfType.startsWith('aws_')) continue;
      const id = `${tfType}.${name}`;
      if (resources.has(id)) continue;
      const known = TYPES[tfType];
      const props = new Props();
      if (known) convertBody(converter, kids.find((c) => c.type === 'body'), known.spec, props, 0);
      resources.set(id, {
        tfType,
        id,
        type: known?.type ?? `Terraform::${tfType}`,
        block: { ...src(block), keyStart: block.startIndex, keyEnd: labels[1]!.endIndex },
        typeLabel: src(labels[0]!),
        props,
      });
    }
    fixUp(resources);
    return { template: assemble(file, text, resources), problems };
  });
}

function fixUp(resources: Map<string, TfResource>): void {
  for (const resource of resources.values()) {
    const p = resource.props;
    if (resource.tfType === 'aws_lambda_function') {
      const reserved = p.value['ReservedConcurrentExecutions'];
      if (reserved === -1) p.delete('ReservedConcurrentExecutions');
    } else if (resource.tfType === 'aws_sqs_queue') {
      for (const name of ['RedrivePolicy', 'RedriveAllowPolicy']) if (p.value[name] === '') p.delete(name);
    } else if (resource.tfType === 'aws_cloudwatch_event_rule') {
      const state = p.value['State'];
      if (typeof state === 'boolean') p.set('State', { value: state ? 'ENABLED' : 'DISABLED', source: p.entries.get('State')! });
    }
  }
  for (const resource of [...resources.values()]) {
    const p = resource.props;
    if (resource.tfType === 'aws_sqs_queue_redrive_policy' || resource.tfType === 'aws_sqs_queue_redrive_allow_policy') {
      const property = resource.tfType === 'aws_sqs_queue_redrive_policy' ? 'RedrivePolicy' : 'RedriveAllowPolicy';
      const queue = resources.get(queueId(p.value['QueueUrl'], resources) ?? '');
      if (!queue || !Object.hasOwn(p.value, property) || Object.hasOwn(queue.props.value, property)) continue;
      queue.props.set(property, { value: p.value[property]!, source: p.entries.get(property)! });
      resources.delete(resource.id);
    } else if (resource.tfType === 'aws_cloudwatch_event_target') {
      const target = new Props();
      for (const [key, value] of Object.entries(p.value)) {
        if (key !== 'Rule' && key !== 'EventBusName') target.set(key, { value, source: p.entries.get(key)! });
      }
      const item: Built = { value: target.value, source: { ...resource.block, entries: target.entries } };
      const rule = resources.get(ruleId(p.value['Rule'], resources) ?? '');
      const owner = rule ?? resource;
      if (rule) resources.delete(resource.id);
      else {
        for (const key of Object.keys(p.value)) if (key !== 'EventBusName') p.delete(key);
      }
      const existing = owner.props.value['Targets'];
      if (Array.isArray(existing)) {
        existing.push(item.value);
        owner.props.entries.get('Targets')!.items!.push(item.source);
      } else {
        owner.props.set('Targets', { value: [item.value], source: { ...item.source, keyStart: -1, keyEnd: -1, synthetic: true, entries: undefined, items: [item.source] } });
      }
    }
  }
}

function assemble(file: string, text: string, resources: Map<string, TfResource>) {
  return assembleTemplate(
    file,
    text,
    [...resources.values()].map((r) => ({ id: r.id, type: r.type, props: r.props, node: r.block, typeNode: r.typeLabel })),
    'terraform',
  );
}

const FOLDED_POLICIES: Record<string, string> = {
  'Terraform::aws_sqs_queue_redrive_policy': 'RedrivePolicy',
  'Terraform::aws_sqs_queue_redrive_allow_policy': 'RedriveAllowPolicy',
};

/**
 * Links the Terraform files of one module (directory): a redrive (allow) policy resource whose
 * queue is declared in another file of the module sets the queue's `RedrivePolicy` /
 * `RedriveAllowPolicy` there (located at the queue, since the text is in the other file).
 */
export function linkTerraformModules(templates: readonly Template[]): void {
  const modules = new Map<string, Template[]>();
  for (const template of templates) {
    if (template.format !== 'terraform') continue;
    const dir = template.file.slice(0, Math.max(template.file.lastIndexOf('/'), template.file.lastIndexOf('\\')) + 1);
    const list = modules.get(dir);
    if (list) list.push(template);
    else modules.set(dir, [template]);
  }
  for (const module of modules.values()) {
    if (module.length < 2) continue;
    const queues = new Map<string, Resource>();
    for (const template of module) for (const r of template.resources.values()) if (r.type === 'AWS::SQS::Queue') queues.set(r.id, r);
    for (const template of module) {
      for (const r of template.resources.values()) {
        const property = FOLDED_POLICIES[r.type];
        const url = r.properties['QueueUrl'];
        if (!property || !(url instanceof Intrinsic) || !Object.hasOwn(r.properties, property)) continue;
        const id = url.name === 'Ref' ? url.argument : Array.isArray(url.argument) ? url.argument[0] : undefined;
        const queue = typeof id === 'string' ? queues.get(id) : undefined;
        if (queue && !Object.hasOwn(queue.properties, property)) setOwn(queue.properties, property, r.properties[property]!);
      }
    }
  }
}
