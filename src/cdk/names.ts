/**
 * Names: which CDK class a module member is (`aws-cdk-lib/aws-sqs` + `Queue` is `sqs.Queue`),
 * the CloudFormation type of an L1 class (`sqs.CfnQueue` is `AWS::SQS::Queue`), and the
 * CloudFormation name of an L1 property (`redrivePolicy` is `RedrivePolicy`).
 */

/**
 * `<service>.<member path>` of a module member, or undefined when the module is not the CDK:
 * `aws-cdk-lib/aws-sqs` Queue → `sqs.Queue`; `aws-cdk-lib` aws_sqs.Queue → `sqs.Queue`;
 * `aws-cdk-lib` Duration.seconds → `core.Duration.seconds`;
 * `@aws-solutions-constructs/aws-sqs-lambda` SqsToLambda → `solutions.SqsToLambda`.
 */
export function cdkName(module: string, path: readonly string[]): string | undefined {
  const key = path.length === 0 ? module : path.length === 1 ? `${module}\u0000${path[0]}` : `${module}\u0000${path.join('\u0000')}`;
  if (NAMES.has(key)) return NAMES.get(key);
  const name = cdkNameOf(module, path);
  if (NAMES.size >= MAX_NAMES) NAMES.clear();
  NAMES.set(key, name);
  return name;
}

/** `cdkName` by module and member path: the same few hundred names are asked for again and again. */
const NAMES = new Map<string, string | undefined>();
const MAX_NAMES = 4096;

function cdkNameOf(module: string, path: readonly string[]): string | undefined {
  let service: string;
  let rest = path;
  if (module === 'aws-cdk-lib') {
    if (path[0]?.startsWith('aws_')) {
      service = path[0].slice(4).replace(/_/g, '-');
      rest = path.slice(1);
    } else service = 'core';
  } else if (module.startsWith('aws-cdk-lib/')) {
    service = module.slice('aws-cdk-lib/'.length).replace(/^aws-/, '');
  } else if (module.startsWith('@aws-solutions-constructs/')) {
    // AWS Solutions Constructs: every package's members as `solutions.<Member>` (their names do not collide)
    service = 'solutions';
  } else if (module === '@aws-cdk/core') {
    // CDK v1: the core module, and one module per service (the v2 alpha modules are named alike)
    service = 'core';
  } else {
    const scoped = /^@aws-cdk\/aws-(.+?)(?:-alpha)?$/.exec(module);
    if (!scoped) return undefined;
    service = scoped[1]!;
  }
  return [service, ...rest].join('.');
}

/** CloudFormation service namespaces whose spelling is not the module name capitalised. */
const SERVICES: Record<string, string> = {
  sqs: 'SQS',
  sns: 'SNS',
  s3: 'S3',
  iam: 'IAM',
  ec2: 'EC2',
  ecs: 'ECS',
  ecr: 'ECR',
  eks: 'EKS',
  kms: 'KMS',
  rds: 'RDS',
  ses: 'SES',
  iot: 'IoT',
  msk: 'MSK',
  dynamodb: 'DynamoDB',
  docdb: 'DocDB',
  apigateway: 'ApiGateway',
  apigatewayv2: 'ApiGatewayV2',
  appsync: 'AppSync',
  stepfunctions: 'StepFunctions',
  amazonmq: 'AmazonMQ',
  cloudwatch: 'CloudWatch',
  cloudfront: 'CloudFront',
  elasticloadbalancingv2: 'ElasticLoadBalancingV2',
  kinesisfirehose: 'KinesisFirehose',
  secretsmanager: 'SecretsManager',
  ssm: 'SSM',
  wafv2: 'WAFv2',
};

/** `AWS::<Service>::<Name>` of an L1 class (`sqs.CfnQueue`), or undefined when it is not one. */
export function l1Type(name: string): string | undefined {
  const m = /^([a-z0-9-]+)\.Cfn([A-Za-z0-9]+)$/.exec(name);
  if (!m) return undefined;
  const service = SERVICES[m[1]!] ?? m[1]!.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
  return `AWS::${service}::${m[2]}`;
}

/** L1 property names whose value is a JSON document or a map: their keys are kept as written. */
const VERBATIM = new Set([
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'Definition',
  'DefinitionString',
  'DefinitionSubstitutions',
  'Variables',
  'RequestParameters',
  'RequestTemplates',
  'ResponseParameters',
  'ResponseTemplates',
  'EventPattern',
  'FilterPolicy',
  'PolicyDocument',
  'AssumeRolePolicyDocument',
  'Policy',
  'Tags',
  'Metadata',
  'Body',
  'Input',
  'InputTemplate',
  'Parameters',
  'DeliveryPolicy',
]);

/** CloudFormation spellings the CDK's camel-casing changes (`dynamoDbStreamParameters`). */
const SPELLINGS: Record<string, string> = {
  DynamoDbStreamParameters: 'DynamoDBStreamParameters',
  DocumentDbEventSourceConfig: 'DocumentDBEventSourceConfig',
  SqsQueueParameters: 'SqsQueueParameters',
};

/** The CloudFormation name of an L1 property written in camel case. */
export function cfnPropertyName(name: string): string {
  if (!/^[a-z][A-Za-z0-9]*$/.test(name)) return name;
  const pascal = name.charAt(0).toUpperCase() + name.slice(1);
  return SPELLINGS[pascal] ?? pascal;
}

export function keepsKeys(cfnName: string): boolean {
  return VERBATIM.has(cfnName);
}
