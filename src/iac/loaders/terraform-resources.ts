/**
 * The `aws_*` resource types the rules need, mapped to CloudFormation types and property names:
 * for each type, its attributes and nested blocks by CloudFormation name (a dotted name creates
 * nested mappings, repeated blocks can become a list), and the conversion of a resource body
 * along that mapping, with a source position for every property. Attributes that carry JSON
 * (`redrive_policy`, `redrive_allow_policy`, `definition`, `event_pattern`, `filter_policy`,
 * `delivery_policy`) are read as JSON documents; a quoted JSON string stays a string, except
 * `definition`, which always becomes an object. A `dynamic` block is an unknown value.
 * `aws_api_gateway_integration` becomes an `AWS::ApiGateway::Method` whose `Integration` holds
 * the integration settings.
 */
import { Unknown, type IacValue } from '../model.js';
import type { SourceNode } from '../document.js';
import { namedChildren, type HclNode } from '../hcl.js';
import { Props } from './synthesized.js';
import { MAX_DEPTH, labelText, src, type Converter } from './terraform-values.js';

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

export const TYPES: Record<string, TypeSpec> = {
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
  aws_glue_trigger: { type: 'AWS::Glue::Trigger', spec: { name: 'Name', type: 'Type', schedule: 'Schedule', enabled: 'Enabled', workflow_name: 'WorkflowName' } },
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
  aws_sfn_activity: { type: 'AWS::StepFunctions::Activity', spec: { name: 'Name' } },
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

export function convertBody(converter: Converter, body: HclNode | undefined, spec: Spec, props: Props, depth: number): void {
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
      const key = { keyStart: kids[0]!.startIndex, keyEnd: kids[0]!.endIndex };
      // a state machine definition rendered from a file of the module: read as SAM reads `DefinitionUri`
      const rendered = target === 'Definition' ? converter.renderedFile(expression) : undefined;
      if (rendered) {
        props.set('DefinitionUri', { value: rendered.file, source: { ...src(expression), ...key } });
        if (rendered.vars) props.set('DefinitionSubstitutions', { value: rendered.vars.value, source: rendered.vars.source });
        continue;
      }
      const built = JSON_ATTRIBUTES.has(name) ? converter.json(expression, name === 'definition') : converter.expression(expression);
      props.set(target, { value: built.value, source: { ...built.source, ...key } });
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
