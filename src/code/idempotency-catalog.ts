/**
 * Which AWS API operations take an idempotency token, and in which input member.
 *
 * The data is generated from the AWS API models (members with the `idempotencyToken` trait, and
 * the optional members named `IdempotencyToken` that a few models leave unmarked, such as ACM
 * `RequestCertificate` and CodeBuild `StartBuild`) by `scripts/gen-idempotency-catalog.js` into
 * `idempotency-catalog.json`; regenerate it rather than editing it. Services are keyed by their v3 package suffix (`@aws-sdk/client-<suffix>`), and
 * operations by their model name (PascalCase, e.g. `RunInstances`).
 */
import catalog from './idempotency-catalog.json' with { type: 'json' };

/** One token member, or several in model order (no current operation has more than one). */
type TokenMembers = string | readonly string[];

interface CatalogData {
  readonly source: string;
  readonly operationCount: number;
  readonly services: Readonly<Record<string, { readonly v2: string; readonly operations: Readonly<Record<string, TokenMembers>> }>>;
  readonly unmarked: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly v2Classes: Readonly<Record<string, string>>;
}

const data: CatalogData = catalog;

const operationsByService = new Map<string, ReadonlyMap<string, readonly string[]>>(
  Object.entries(data.services).map(([service, entry]) => [
    service,
    new Map(Object.entries(entry.operations).map(([operation, members]) => [operation, typeof members === 'string' ? [members] : members])),
  ]),
);

/** Token members the models leave unmarked: the SDK does not generate them. */
const unmarkedByService = new Map<string, ReadonlyMap<string, string>>(Object.entries(data.unmarked).map(([service, operations]) => [service, new Map(Object.entries(operations))]));

/** Where the catalog came from, e.g. `aws-sdk@2.1693.0 API models`. */
export const CATALOG_SOURCE: string = data.source;

/** Number of operations that take an idempotency token. */
export const OPERATION_COUNT: number = data.operationCount;

/**
 * Every AWS SDK v2 service class name (`EC2`, `SecretsManager`, `CloudWatchLogs`) mapped to the
 * v3 package suffix of the same service (`ec2`, `secrets-manager`, `cloudwatch-logs`), including
 * services without any token operation.
 */
export const V2_CLASS_TO_SERVICE: ReadonlyMap<string, string> = new Map(Object.entries(data.v2Classes));

/** `runInstances` (v2 method) and `RunInstances` (model name) both become `RunInstances`. */
function operationName(operation: string): string {
  return operation.charAt(0).toUpperCase() + operation.slice(1);
}

/**
 * All idempotency-token members of an operation's input, in model order; empty when the operation
 * has none or is unknown.
 * @param servicePackageSuffix v3 package suffix, e.g. `ec2` for `@aws-sdk/client-ec2`
 * @param operation model operation name (`RunInstances`); a v2 method name (`runInstances`) also works
 */
export function tokenMembers(servicePackageSuffix: string, operation: string): readonly string[] {
  const name = operationName(operation);
  const marked = operationsByService.get(servicePackageSuffix)?.get(name);
  if (marked) return marked;
  const unmarked = unmarkedByService.get(servicePackageSuffix)?.get(name);
  return unmarked ? [unmarked] : [];
}

/**
 * Whether the SDK fills in the operation's token when the caller leaves it out: true for the
 * members the models mark, false for the few they name `IdempotencyToken` without marking
 * (CodeBuild `StartBuild`), where a request without one is never recognised as a repeat.
 * @param servicePackageSuffix v3 package suffix, e.g. `codebuild`
 * @param operation model operation name; a v2 method name also works
 */
export function sdkGeneratesToken(servicePackageSuffix: string, operation: string): boolean {
  return operationsByService.get(servicePackageSuffix)?.has(operationName(operation)) ?? false;
}

/**
 * The idempotency-token member of an operation's input (`ClientToken` for EC2 `RunInstances`), or
 * undefined when the operation takes none or is unknown.
 * @param servicePackageSuffix v3 package suffix, e.g. `ec2` for `@aws-sdk/client-ec2`
 * @param operation model operation name (`RunInstances`); a v2 method name (`runInstances`) also works
 */
export function tokenMember(servicePackageSuffix: string, operation: string): string | undefined {
  return tokenMembers(servicePackageSuffix, operation)[0];
}

/**
 * The v3 package suffix for an AWS SDK v2 service class name: `EC2` → `ec2`,
 * `SecretsManager` → `secrets-manager`; undefined for names that are not v2 service classes.
 */
export function serviceForV2Class(v2ClassName: string): string | undefined {
  return V2_CLASS_TO_SERVICE.get(v2ClassName);
}

/**
 * Members that identify a request the way an idempotency token does, but that the API models do
 * not mark as one: they are required, so the SDK never generates them. The service recognises a
 * repeat of the request by them (Route 53 returns the health check or hosted zone the first call
 * created; CloudFront the invalidation or distribution). Paths into the input.
 */
const CALLER_REFERENCES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  'route-53': {
    CreateHealthCheck: ['CallerReference'],
    CreateHostedZone: ['CallerReference'],
    CreateReusableDelegationSet: ['CallerReference'],
  },
  cloudfront: {
    CreateInvalidation: ['InvalidationBatch', 'CallerReference'],
    CreateDistribution: ['DistributionConfig', 'CallerReference'],
    CreateCloudFrontOriginAccessIdentity: ['CloudFrontOriginAccessIdentityConfig', 'CallerReference'],
  },
};

/**
 * The path of an operation's caller reference in its input (`['CallerReference']` for Route 53
 * `CreateHealthCheck`), or undefined when it has none.
 * @param servicePackageSuffix v3 package suffix, e.g. `route-53`
 * @param operation model operation name; a v2 method name also works
 */
export function callerReference(servicePackageSuffix: string, operation: string): readonly string[] | undefined {
  return CALLER_REFERENCES[servicePackageSuffix]?.[operationName(operation)];
}
