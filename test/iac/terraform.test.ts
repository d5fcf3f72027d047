import { beforeAll, describe, it, expect } from 'vitest';
import { initHcl, loadIacFile } from '../../src/iac/loaders/index.js';
import { loadTerraform } from '../../src/iac/loaders/terraform.js';
import { Intrinsic, Unknown, type Template } from '../../src/iac/model.js';
import { eventSourceMappings, isUnknown, jsonValue, refTarget } from '../../src/iac/resources.js';
import path from 'node:path';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';
import { project } from '../helpers/tmp.js';

beforeAll(async () => {
  await initHcl();
});

function load(text: string): Template {
  const loaded = loadTerraform('/p/main.tf', text);
  expect(loaded.problems).toEqual([]);
  return loaded.template!;
}

function where(template: Template, path: (string | number)[]): string {
  const { range, exact } = template.locate(path);
  return `${range.start.line}:${range.start.column}${exact ? '' : '~'}`;
}

const props = (t: Template, id: string) => t.resources.get(id)!.properties;

const MAIN = `resource "aws_sqs_queue" "dlq" {
  name = "orders-dlq"
}

resource "aws_sqs_queue" "orders" {
  name                       = "orders-\${var.env}"
  visibility_timeout_seconds = 60
  fifo_queue                 = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })
}

resource "aws_lambda_function" "worker" {
  function_name                  = "worker"
  timeout                        = 30
  reserved_concurrent_executions = -1
  role                           = data.aws_iam_role.r.arn
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }
  environment {
    variables = {
      QUEUE_URL = aws_sqs_queue.orders.url
      MODE      = var.mode == "x" ? "a" : "b"
    }
  }
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.worker.function_name
  batch_size       = 10
  scaling_config {
    maximum_concurrency = 5
  }
  function_response_types = ["ReportBatchItemFailures"]
}
`;

describe('Terraform loader', () => {
  it('maps resources to CloudFormation types and property names', () => {
    const t = load(MAIN);
    expect(t.format).toBe('terraform');
    expect([...t.resources.values()].map((r) => `${r.id} ${r.type}`)).toEqual([
      'aws_sqs_queue.dlq AWS::SQS::Queue',
      'aws_sqs_queue.orders AWS::SQS::Queue',
      'aws_lambda_function.worker AWS::Lambda::Function',
      'aws_lambda_event_source_mapping.orders AWS::Lambda::EventSourceMapping',
    ]);
    const orders = props(t, 'aws_sqs_queue.orders');
    expect(orders['VisibilityTimeout']).toBe(60);
    expect(orders['FifoQueue']).toBe(true);
    expect(orders['RedrivePolicy']).toEqual({ deadLetterTargetArn: new Intrinsic('Fn::GetAtt', ['aws_sqs_queue.dlq', 'Arn']), maxReceiveCount: 5 });
    const worker = props(t, 'aws_lambda_function.worker');
    expect(worker['Timeout']).toBe(30);
    expect(worker).not.toHaveProperty('ReservedConcurrentExecutions'); // -1: no reservation
    expect(worker['DeadLetterConfig']).toEqual({ TargetArn: new Intrinsic('Fn::GetAtt', ['aws_sqs_queue.dlq', 'Arn']) });
    expect(props(t, 'aws_lambda_event_source_mapping.orders')['ScalingConfig']).toEqual({ MaximumConcurrency: 5 });
    expect(props(t, 'aws_lambda_event_source_mapping.orders')['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
  });

  it('reads the registry modules for SQS and Lambda as the resources they create, and their outputs as references', () => {
    const t = load(`module "jobs" {
  source     = "registry.terraform.io/terraform-aws-modules/sqs/aws"
  name       = "jobs"
  create_dlq = true
}
module "legacy" {
  source = "terraform-aws-modules/sqs/aws"
  redrive_policy = { deadLetterTargetArn = module.jobs.dead_letter_queue_arn, maxReceiveCount = 2 }
}
module "maybe" {
  source     = "terraform-aws-modules/sqs/aws"
  create_dlq = var.dlq
}
module "off" {
  source = "terraform-aws-modules/sqs/aws"
  create = false
}
module "layer" {
  source       = "terraform-aws-modules/lambda/aws"
  create_layer = true
}
module "other" {
  source = "terraform-aws-modules/sqs/aws//modules/queue"
}
module "worker" {
  source                         = "terraform-aws-modules/lambda/aws"
  timeout                        = 20
  reserved_concurrent_executions = -1
  create_async_event_config      = true
  maximum_retry_attempts         = 0
  destination_on_failure         = module.legacy.sqs_queue_arn
  event_source_mapping = {
    jobs = { event_source_arn = module.jobs.queue_arn, scaling_config = { maximum_concurrency = 4 } }
  }
  allowed_triggers = {
    bucket = { service = "s3", source_arn = "arn:aws:s3:::uploads" }
  }
}
resource "aws_cloudwatch_event_target" "t" {
  rule = "r"
  arn  = module.worker.lambda_function_arn
  input = module.worker.lambda_function_invoke_arn
}
`);
    expect([...t.resources.values()].map((r) => `${r.id} ${r.type}`)).toEqual([
      'module.jobs AWS::SQS::Queue',
      'module.jobs.dlq AWS::SQS::Queue',
      'module.legacy AWS::SQS::Queue',
      'module.maybe AWS::SQS::Queue',
      'module.worker AWS::Lambda::Function',
      'module.worker.async_event_config AWS::Lambda::EventInvokeConfig',
      'module.worker.event_source_mapping.jobs AWS::Lambda::EventSourceMapping',
      'module.worker.allowed_triggers.bucket AWS::Lambda::Permission',
      'aws_cloudwatch_event_target.t AWS::Events::Rule',
    ]);
    expect(props(t, 'module.jobs')['RedrivePolicy']).toEqual({ deadLetterTargetArn: new Intrinsic('Fn::GetAtt', ['module.jobs.dlq', 'Arn']), maxReceiveCount: 5 });
    expect(props(t, 'module.legacy')['RedrivePolicy']).toEqual({ deadLetterTargetArn: new Intrinsic('Fn::GetAtt', ['module.jobs.dlq', 'Arn']), maxReceiveCount: 2 });
    expect(props(t, 'module.maybe')['RedrivePolicy']).toBeInstanceOf(Unknown);
    const worker = props(t, 'module.worker');
    expect(worker['Timeout']).toBe(20);
    expect(worker).not.toHaveProperty('ReservedConcurrentExecutions');
    expect(props(t, 'module.worker.async_event_config')).toMatchObject({
      FunctionName: new Intrinsic('Ref', 'module.worker'),
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: new Intrinsic('Fn::GetAtt', ['module.legacy', 'Arn']) } },
    });
    expect(refTarget(props(t, 'module.worker.event_source_mapping.jobs')['EventSourceArn'], t)).toBe('module.jobs');
    expect(props(t, 'module.worker.event_source_mapping.jobs')['ScalingConfig']).toEqual({ MaximumConcurrency: 4 });
    expect(props(t, 'module.worker.allowed_triggers.bucket')).toMatchObject({ Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::uploads' });
    const target = (props(t, 'aws_cloudwatch_event_target.t')['Targets'] as Record<string, unknown>[])[0]!;
    expect(target['Arn']).toEqual(new Intrinsic('Fn::GetAtt', ['module.worker', 'Arn']));
    expect(target['Input']).toBeInstanceOf(Unknown);
    // each resource is located at the module block or the input that makes it
    expect(t.locate(['Resources', 'module.jobs.dlq']).range.start).toEqual({ line: 4, column: 16 });
    expect(t.locate(['Resources', 'module.worker.event_source_mapping.jobs']).range.start).toEqual({ line: 33, column: 12 });
  });

  it('turns resource references into intrinsics that refTarget follows', () => {
    const t = load(MAIN);
    const variables = props(t, 'aws_lambda_function.worker')['Environment'] as { Variables: Record<string, unknown> };
    expect(variables.Variables['QUEUE_URL']).toEqual(new Intrinsic('Fn::GetAtt', ['aws_sqs_queue.orders', 'QueueUrl']));
    expect(refTarget(props(t, 'aws_lambda_event_source_mapping.orders')['EventSourceArn'], t)).toBe('aws_sqs_queue.orders');
    const [mapping] = eventSourceMappings(t);
    expect(mapping!.kind).toBe('sqs');
    expect(mapping!.functionId).toBe('aws_lambda_function.worker');
  });

  it('keeps variables, data sources, conditionals and interpolations unknown', () => {
    const t = load(MAIN);
    const name = props(t, 'aws_sqs_queue.orders')['QueueName'];
    expect(name).toBeInstanceOf(Unknown);
    expect((name as Unknown).description).toBe('orders-${var.env}');
    expect(props(t, 'aws_lambda_function.worker')['Role']).toBeInstanceOf(Unknown);
    const variables = props(t, 'aws_lambda_function.worker')['Environment'] as { Variables: Record<string, unknown> };
    expect(variables.Variables['MODE']).toBeInstanceOf(Unknown);
    expect(isUnknown(props(t, 'aws_lambda_function.worker')['Role'], t)).toBe(true);
  });

  it('locates properties, nested values and missing properties', () => {
    const t = load(MAIN);
    expect(where(t, ['Resources', 'aws_sqs_queue.orders', 'Properties', 'VisibilityTimeout'])).toBe('7:32');
    expect(where(t, ['Resources', 'aws_sqs_queue.orders', 'Properties', 'RedrivePolicy', 'maxReceiveCount'])).toBe('11:27');
    expect(where(t, ['Resources', 'aws_lambda_function.worker', 'Properties', 'DeadLetterConfig', 'TargetArn'])).toBe('21:18');
    expect(where(t, ['Resources', 'aws_lambda_function.worker', 'Properties', 'MemorySize'])).toBe('15:1~');
    expect(where(t, ['Resources', 'aws_sqs_queue.dlq', 'Properties', 'RedrivePolicy'])).toBe('1:1~');
    expect(where(t, ['Resources', 'aws_lambda_event_source_mapping.orders', 'Properties', 'ScalingConfig', 'MaximumConcurrency'])).toBe('36:27');
  });

  it('reads JSON strings nested deeper than the documents\' limit as unknown (quoted, interpolated, heredoc)', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const quoted = deep.replace(/"/g, '\\"');
    const policies = [`"${quoted}"`, `"${quoted.replace('1', '${var.count}')}"`, `<<EOF\n${deep}\nEOF`];
    const t = load(policies.map((p, i) => `resource "aws_sqs_queue" "q${i}" {\n  redrive_policy = ${p}\n}\n`).join(''));
    for (let i = 0; i < policies.length; i++) expect(jsonValue(props(t, `aws_sqs_queue.q${i}`)['RedrivePolicy']!), String(i)).toBeInstanceOf(Unknown);
  });

  it('folds redrive policy resources into their queue and event targets into their rule', () => {
    const t = load(`resource "aws_sqs_queue" "q" {
  name = "q"
}
resource "aws_sqs_queue_redrive_policy" "q" {
  queue_url      = aws_sqs_queue.q.id
  redrive_policy = "{\\"deadLetterTargetArn\\":\\"\${aws_sqs_queue.parked.arn}\\",\\"maxReceiveCount\\":4}"
}
resource "aws_cloudwatch_event_rule" "nightly" {
  schedule_expression = "cron(0 3 * * ? *)"
  is_enabled          = false
}
resource "aws_cloudwatch_event_target" "nightly" {
  rule = aws_cloudwatch_event_rule.nightly.name
  arn  = aws_lambda_function.job.arn
  retry_policy {
    maximum_retry_attempts       = 3
    maximum_event_age_in_seconds = 3600
  }
  dead_letter_config {
    arn = aws_sqs_queue.q.arn
  }
}
resource "aws_cloudwatch_event_target" "elsewhere" {
  rule = var.rule_name
  arn  = aws_lambda_function.job.arn
}
`);
    expect(t.resources.has('aws_sqs_queue_redrive_policy.q')).toBe(false);
    expect(props(t, 'aws_sqs_queue.q')['RedrivePolicy']).toEqual({ deadLetterTargetArn: new Intrinsic('Fn::GetAtt', ['aws_sqs_queue.parked', 'Arn']), maxReceiveCount: 4 });
    expect(where(t, ['Resources', 'aws_sqs_queue.q', 'Properties', 'RedrivePolicy'])).toBe('6:20');
    const rule = props(t, 'aws_cloudwatch_event_rule.nightly');
    expect(rule['State']).toBe('DISABLED');
    expect(rule['Targets']).toEqual([
      {
        Arn: new Intrinsic('Fn::GetAtt', ['aws_lambda_function.job', 'Arn']),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: new Intrinsic('Fn::GetAtt', ['aws_sqs_queue.q', 'Arn']) },
      },
    ]);
    expect(where(t, ['Resources', 'aws_cloudwatch_event_rule.nightly', 'Properties', 'Targets', 0, 'RetryPolicy', 'MaximumRetryAttempts'])).toBe('16:36');
    expect(where(t, ['Resources', 'aws_cloudwatch_event_rule.nightly', 'Properties', 'Targets', 0, 'InputPath'])).toBe('12:1~');
    expect(t.resources.get('aws_cloudwatch_event_target.elsewhere')!.type).toBe('AWS::Events::Rule');
    expect(props(t, 'aws_cloudwatch_event_target.elsewhere')['Targets']).toHaveLength(1);
  });

  it('reads state machine definitions from jsonencode and heredocs, with positions', () => {
    const t = load(`resource "aws_sfn_state_machine" "a" {
  definition = jsonencode({
    StartAt = "Work"
    States = { Work = { Type = "Task", Resource = aws_lambda_function.f.arn, End = true } }
  })
}
resource "aws_sfn_state_machine" "b" {
  definition = <<-EOF
    {
      "StartAt": "Work",
      "States": { "Work": { "Type": "Task", "Resource": "\${aws_lambda_function.f.arn}", "TimeoutSeconds": 30, "End": true } }
    }
  EOF
}
resource "aws_sfn_state_machine" "c" {
  definition = templatefile("machine.json", {})
}
`);
    const a = props(t, 'aws_sfn_state_machine.a')['Definition'] as { States: { Work: Record<string, unknown> } };
    expect(a.States.Work['Resource']).toEqual(new Intrinsic('Fn::GetAtt', ['aws_lambda_function.f', 'Arn']));
    const b = props(t, 'aws_sfn_state_machine.b')['Definition'] as { States: { Work: Record<string, unknown> } };
    expect(b.States.Work['Resource']).toEqual(new Intrinsic('Fn::GetAtt', ['aws_lambda_function.f', 'Arn']));
    expect(b.States.Work['TimeoutSeconds']).toBe(30);
    expect(where(t, ['Resources', 'aws_sfn_state_machine.b', 'Properties', 'Definition', 'States', 'Work', 'TimeoutSeconds'])).toBe('11:107');
    expect(props(t, 'aws_sfn_state_machine.c')['Definition']).toBeInstanceOf(Unknown);
  });

  it('maps API Gateway integrations, schedules and subscriptions', () => {
    const t = load(`resource "aws_api_gateway_integration" "i" {
  rest_api_id          = aws_api_gateway_rest_api.api.id
  http_method          = "POST"
  type                 = "AWS_PROXY"
  timeout_milliseconds = 10000
}
resource "aws_scheduler_schedule" "s" {
  schedule_expression = "rate(1 hour)"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn = aws_lambda_function.f.arn
    retry_policy {
      maximum_retry_attempts = 0
    }
  }
}
resource "aws_sns_topic_subscription" "sub" {
  topic_arn = aws_sns_topic.t.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.q.arn
}
`);
    expect(t.resources.get('aws_api_gateway_integration.i')!.type).toBe('AWS::ApiGateway::Method');
    expect(props(t, 'aws_api_gateway_integration.i')['Integration']).toEqual({ Type: 'AWS_PROXY', TimeoutInMillis: 10000 });
    expect(where(t, ['Resources', 'aws_api_gateway_integration.i', 'Properties', 'Integration', 'TimeoutInMillis'])).toBe('5:26');
    expect(props(t, 'aws_scheduler_schedule.s')['FlexibleTimeWindow']).toEqual({ Mode: 'OFF' });
    expect(props(t, 'aws_scheduler_schedule.s')['Target']).toEqual({ Arn: new Intrinsic('Fn::GetAtt', ['aws_lambda_function.f', 'Arn']), RetryPolicy: { MaximumRetryAttempts: 0 } });
    expect(props(t, 'aws_sns_topic_subscription.sub')['Protocol']).toBe('sqs');
  });

  it('reports the first syntax error and still loads the rest of the file', () => {
    const loaded = loadTerraform(
      '/p/broken.tf',
      `resource "aws_sqs_queue" "a" {
  name = "a"
}
resource "aws_sqs_queue" "b" {
  name = = "b"
}
resource "aws_sqs_queue" "c" {
  name = "c"
}
`,
    );
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]!.offset).toBeGreaterThan(40);
    expect(loaded.template!.resources.has('aws_sqs_queue.a')).toBe(true);
    expect(loaded.template!.resources.has('aws_sqs_queue.c')).toBe(true);
  });

  it('is chosen by the loader registry for .tf files', () => {
    const loaded = loadIacFile('/p/queues.tf', 'resource "aws_sqs_queue" "a" {}\n');
    expect(loaded!.template!.format).toBe('terraform');
    expect(loadIacFile('/p/other.tf', 'variable "x" {}\n')!.template!.resources.size).toBe(0);
  });

  it('links the files of a module: redrive policies and dead-letter queues declared in other files', async () => {
    const root = project({ 'infra/queues.tf': QUEUES_TF, 'infra/parking.tf': PARKING_TF, 'other/parking.tf': PARKING_TF });
    const only = Object.fromEntries(RULES.filter((r) => r.meta.name !== 'require-queue-dlq' && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
    const files = ['infra/queues.tf', 'infra/parking.tf'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: resolveRules('strict', only) });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`)).toEqual(['infra/queues.tf:14 require-queue-dlq']);
    // alone, the policy of the other file is not seen
    const alone = await lint({ cwd: root, files: [files[0]!], rules: resolveRules('strict', only) });
    expect(alone.findings.map((f) => `${f.file}:${f.range.start.line}`)).toEqual(['infra/queues.tf:10', 'infra/queues.tf:14']);
    // a file of another directory is another module
    const elsewhere = await lint({ cwd: root, files: [files[0]!, path.join(root, 'other/parking.tf')], rules: resolveRules('strict', only) });
    expect(elsewhere.findings.map((f) => `${f.file}:${f.range.start.line}`)).toEqual(['infra/queues.tf:10', 'infra/queues.tf:14']);
  });
});

const QUEUES_TF = `# The work queues of a module whose dead-letter queues and redrive policies live in other files.
resource "aws_sqs_queue" "orders" {
  name = "orders"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.parked.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "billing" {
  name = "billing"
}

resource "aws_sqs_queue" "audit" { # expect: require-queue-dlq
  name = "audit"
}
`;

const PARKING_TF = `resource "aws_sqs_queue" "parked" {
  name = "parked-orders"
}

resource "aws_sqs_queue_redrive_policy" "billing" {
  queue_url = aws_sqs_queue.billing.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.parked.arn
    maxReceiveCount     = 5
  })
}
`;
