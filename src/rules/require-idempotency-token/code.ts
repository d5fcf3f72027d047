import type { CodeReport, CodeDetector } from '../rule.js';
import type { Severity } from '../../ground/types.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { SdkCall } from '../../code/aws-sdk.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { enclosingFunction, isFunctionLike, returnedExpressions, step, unwrap } from '../../code/walk.js';
import { arrayItems } from '../../code/array-items.js';
import { sdkGeneratesToken, tokenMember } from '../../code/idempotency-catalog.js';
import type { ContextEvidence } from '../../code/evidence.js';
import type { EnvBinding, FileProjectContext } from '../../context/types.js';
import { unstableValue } from '../../code/unstable-values.js';
import { envName } from '../../context/code-calls.js';
import { reachedAt, reachedFiles } from '../../code/reach.js';
import { callersOf, propertyAtCalls, type CallSite } from '../../code/passed-values.js';
import { contextsOf } from '../../code/handler-context.js';
import { calleeLabel } from '../../code/remote-calls.js';
import { shownLocation } from '../../code/modules.js';
import { relativeSets, updateClauses } from '../../code/update-expressions.js';

interface FifoOperation {
  /** Member naming the destination (its URL or ARN ends in `.fifo` for FIFO queues/topics). */
  destination: string;
  /** Member holding the batch entries, for batch operations. */
  entries?: string;
}

const FIFO_OPERATIONS: Record<string, Record<string, FifoOperation>> = {
  sqs: {
    SendMessage: { destination: 'QueueUrl' },
    SendMessageBatch: { destination: 'QueueUrl', entries: 'Entries' },
  },
  sns: {
    Publish: { destination: 'TopicArn' },
    PublishBatch: { destination: 'TopicArn', entries: 'PublishBatchRequestEntries' },
  },
};

/** What one delivery of each at-least-once source is called. */
const DELIVERY_NOUN: Record<string, string> = {
  SQS: 'message',
  SNS: 'message',
  EventBridge: 'event',
  S3: 'event notification',
  'CloudWatch Logs': 'event',
  Kinesis: 'record',
  'DynamoDB Streams': 'record',
  Kafka: 'record',
  Firehose: 'record',
  // a task a retrier of the workflow runs again
  'Step Functions': 'task',
};

function redelivered(context: ContextEvidence | undefined): string | undefined {
  if (context?.context !== 'at-least-once') return undefined;
  return context.source ? `a redelivered ${context.source} ${DELIVERY_NOUN[context.source] ?? 'event'}` : 'a redelivered event';
}

function tokenConsequence(context: ContextEvidence | undefined, operation: string, generated = true): string {
  const again = redelivered(context);
  if (!generated) {
    // a member the models do not mark: the SDK sends none, so no repeat is ever recognised
    return again
      ? `${again} repeats ${operation} without a token (the SDK generates none for it), so the service cannot recognise the repeat and performs it again`
      : "the SDK generates no token for it, so neither the SDK's own retries nor a retry of this code are recognised as repeats";
  }
  return again
    ? `${again} repeats ${operation} with a fresh SDK-generated token, so the service cannot recognise the repeat and performs it again`
    : "the SDK-generated token only covers the SDK's own retries; a retry of this code is not recognised as one";
}

function severityFor(context: ContextEvidence | undefined): Severity {
  return context?.context === 'at-least-once' ? 'error' : 'warning';
}

/**
 * Object literals of batch entries: an array literal (with the items code appends to it: `push` in
 * a loop, `concat`, spreads), or `items.map(x => ({ ... }))`.
 */
function entryObjects(analysis: FileAnalysis, expr: ts.Expression | undefined, depth = 0): ts.ObjectLiteralExpression[] | undefined {
  if (!expr || depth > 4) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isArrayLiteralExpression(e)) {
    const items = arrayItems(analysis, expr);
    if (!items) return undefined;
    const out: ts.ObjectLiteralExpression[] = [];
    for (const item of items) {
      const objects = ts.isSpreadElement(item) ? entryObjects(analysis, item.expression, depth + 1) : [objectLiteralOf(analysis, item)];
      if (!objects || objects.some((o) => !o)) return undefined;
      out.push(...(objects as ts.ObjectLiteralExpression[]));
    }
    return out;
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
    const cb = e.arguments[0];
    if (cb && isFunctionLike(cb) && cb.body) {
      // `x => ({ ... })`, or a block whose every return is an object literal
      const returned = ts.isBlock(cb.body) ? returnedExpressions(cb) : [cb.body as ts.Expression];
      const objects = returned.map((r) => unwrap(r));
      return objects.length > 0 && objects.every((o) => ts.isObjectLiteralExpression(o)) ? (objects as ts.ObjectLiteralExpression[]) : undefined;
    }
  }
  return undefined;
}

function isFifoDestination(analysis: FileAnalysis, input: ts.Expression | undefined, member: string): boolean {
  const dest = getProperty(analysis, input, member);
  if (dest.kind !== 'present') return false;
  const shape = stringShape(analysis, dest.value);
  return shape?.suffix?.endsWith('.fifo') ?? false;
}

/** The queue or topic behind the destination's environment variable, as the project's templates define it. */
function destinationBinding(analysis: FileAnalysis, input: ts.Expression | undefined, member: string, project: FileProjectContext | undefined): EnvBinding | undefined {
  if (!project) return undefined;
  const dest = getProperty(analysis, input, member);
  const name = dest.kind === 'present' ? envName(analysis, dest.value) : undefined;
  return name ? project.env[name] : undefined;
}

function fifoReports(analysis: FileAnalysis, call: SdkCall, op: FifoOperation, context: ContextEvidence | undefined, project?: FileProjectContext): CodeReport[] {
  const binding = destinationBinding(analysis, call.input, op.destination, project);
  // Only a template that defines the queue or topic tells whether it deduplicates by content. A send
  // without MessageDeduplicationId to a FIFO destination without it fails on every call, so code that
  // sends to a destination defined elsewhere is code whose destination deduplicates: not reported.
  if (binding?.contentBasedDeduplication !== false) return [];
  // FIFO by the template, or by the name in the code (a standard queue may take a MessageGroupId too)
  if (binding.fifo !== true && !isFifoDestination(analysis, call.input, op.destination)) return [];
  const kind = call.service === 'sqs' ? 'queue' : 'topic';
  const check = (obj: ts.Expression | undefined, node: ts.Node, what: string): CodeReport | undefined => {
    const dedup = getProperty(analysis, obj, 'MessageDeduplicationId');
    if (dedup.kind !== 'absent') return undefined;
    return {
      node,
      severity: severityFor(context),
      message: `${what} to FIFO ${kind} \`${binding.label}\` without MessageDeduplicationId, and the template leaves the ${kind}'s content-based deduplication off: the ${kind} rejects the message; a MessageDeduplicationId derived from the message also makes ${redelivered(context) ?? 'a retried send'} recognised as a duplicate`,
    };
  };
  if (!op.entries) {
    const r = check(call.input, call.node, call.operation);
    return r ? [r] : [];
  }
  const entries = getProperty(analysis, call.input, op.entries);
  if (entries.kind !== 'present') return [];
  const objects = entryObjects(analysis, entries.value);
  if (!objects) return [];
  const out: CodeReport[] = [];
  for (const obj of objects) {
    const r = check(obj, obj, `${call.operation} entry`);
    if (r) out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// operations that cannot take effect twice without a token

/**
 * Creates whose name is unique in the account and Region: a repeat cannot create a second
 * resource, it fails because the name is taken. Kept to operations whose uniqueness is documented.
 */
const NAMED_CREATES: Record<string, string> = {
  'scheduler:CreateSchedule': 'Name',
  'scheduler:CreateScheduleGroup': 'Name',
  'secrets-manager:CreateSecret': 'Name',
  // NameAlreadyExistsException: one stack set of a name per account and Region
  'cloudformation:CreateStackSet': 'StackSetName',
};

/** Query operations and the member holding their SQL: a read-only query changes nothing when repeated. */
const QUERIES: Record<string, string> = {
  'redshift-data:ExecuteStatement': 'Sql',
  'redshift-data:BatchExecuteStatement': 'Sqls',
  'athena:StartQueryExecution': 'QueryString',
};
const READ_ONLY_START = /^\s*(?:\(\s*)*(?:select|show|explain|describe|desc)\b/i;
/** Words that make a statement write (`SELECT … INTO` creates a table; a second statement after `;`). */
const WRITING_WORD = /\b(?:into|insert|update|delete|merge|create|drop|alter|truncate|call|copy|unload|grant|revoke|vacuum)\b|;\s*\S/i;

/**
 * The literal parts of a statement the code writes out (a string, a template literal, a
 * concatenation): the first one starts the statement. Undefined when the start is not written out.
 */
function statementParts(analysis: FileAnalysis, expr: ts.Expression, depth = 0): string[] | undefined {
  if (depth > 8) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isStringLiteralLike(e)) return [e.text];
  if (ts.isTemplateExpression(e)) return [e.head.text, ...e.templateSpans.map((s) => s.literal.text)];
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = statementParts(analysis, e.left, depth + 1);
    if (!left) return undefined;
    return [...left, ...(statementParts(analysis, e.right, depth + 1) ?? [])];
  }
  return undefined;
}

/**
 * The arguments the calls of its function in this file pass for the parameter `id` names
 * (`runStatement(client, sql)` called with `select …`); undefined when `id` is no parameter or
 * the function is handed around as a value.
 */
function parameterArguments(analysis: FileAnalysis, id: ts.Identifier): ts.Expression[] | undefined {
  if (analysis.resolveValue(id) !== id) return undefined;
  const fn = enclosingFunction(id);
  const index = fn ? fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text && !p.dotDotDotToken) : -1;
  if (!fn || index < 0) return undefined;
  const callers = callersOf(analysis, fn, analysis);
  if (!callers) return undefined;
  const out: ts.Expression[] = [];
  for (const c of callers) {
    const arg = c.through ? undefined : c.call.arguments[index];
    if (!arg || ts.isSpreadElement(arg) || c.call.arguments.slice(0, index).some((a) => ts.isSpreadElement(a))) return undefined;
    out.push(arg);
  }
  return out;
}

/**
 * `SELECT … FROM ${table} LIMIT 1`: a statement that only reads (every literal part known not to
 * write), written out here or by every caller of the function it is a parameter of.
 */
function readOnlyStatement(analysis: FileAnalysis, expr: ts.Expression, depth = 0): boolean {
  const e = unwrap(expr);
  if (ts.isIdentifier(e) && depth < 2) {
    const args = parameterArguments(analysis, e);
    if (args) return args.length > 0 && args.every((a) => readOnlyStatement(analysis, a, depth + 1));
  }
  const parts = statementParts(analysis, e);
  return !!parts && READ_ONLY_START.test(parts[0] ?? '') && !parts.some((p) => WRITING_WORD.test(p));
}

/** A query whose every statement only reads: a repeat runs it again and changes nothing. */
function readOnlyQuery(analysis: FileAnalysis, call: SdkCall): boolean {
  const member = QUERIES[`${call.service}:${call.operation}`];
  if (!member) return false;
  const sql = getProperty(analysis, call.input, member);
  if (sql.kind !== 'present') return false;
  if (member !== 'Sqls') return readOnlyStatement(analysis, sql.value);
  const list = analysis.resolveValue(sql.value);
  return ts.isArrayLiteralExpression(list) && list.elements.length > 0 && list.elements.every((el) => !ts.isSpreadElement(el) && readOnlyStatement(analysis, el));
}

const CONFLICT_HANDLED = /Conflict|AlreadyExists|ResourceExists|already exists/i;
const NOT_FOUND_HANDLED = /NotFound|NoSuch|does not exist|doesn't exist/i;
const CANCELLED_HANDLED = /TransactionCanceled|ConditionalCheckFailed/;

type Natural = { kind: 'safe' } | { kind: 'no-duplicate'; why: string; error: string };

/** The catch clauses whose try block contains `node`, innermost first. */
function catchesAround(node: ts.Node): ts.CatchClause[] {
  const out: ts.CatchClause[] = [];
  let child: ts.Node = node;
  for (let p = node.parent; p && !ts.isSourceFile(p); child = p, p = p.parent) {
    step();
    if (ts.isTryStatement(p) && p.tryBlock === child && p.catchClause) out.push(p.catchClause);
    if (isFunctionLike(p)) break;
  }
  return out;
}

/** `try { await describe(name) } catch { ... node ... }`: `node` runs only when a lookup of `service` failed. */
function inCatchOfLookup(analysis: FileAnalysis, node: ts.Node, service: string): boolean {
  for (let p = node.parent; p && !isFunctionLike(p); p = p.parent) {
    step();
    if (!ts.isCatchClause(p)) continue;
    const tryBlock = (p.parent as ts.TryStatement).tryBlock;
    step(analysis.sdkCalls.length);
    return analysis.sdkCalls.some((c) => c.service === service && /^(?:Describe|Get)/.test(c.operation) && c.node.pos >= tryBlock.pos && c.node.end <= tryBlock.end);
  }
  return false;
}

/** A function another module can call: `export function f`, `export const f = ...`, `export { f }`, `exports.f = f`. */
function exported(analysis: FileAnalysis, fn: ts.FunctionLikeDeclaration): boolean {
  const isExport = (m: ts.ModifierLike) => m.kind === ts.SyntaxKind.ExportKeyword;
  if (ts.isFunctionDeclaration(fn)) {
    if (fn.modifiers?.some(isExport)) return true;
  } else if (ts.isVariableDeclaration(fn.parent) && ts.isVariableDeclarationList(fn.parent.parent) && ts.isVariableStatement(fn.parent.parent.parent)) {
    if (fn.parent.parent.parent.modifiers?.some(isExport)) return true;
  } else {
    return true;
  }
  const name = ts.isFunctionDeclaration(fn) ? fn.name?.text : ts.isIdentifier((fn.parent as ts.VariableDeclaration).name) ? ((fn.parent as ts.VariableDeclaration).name as ts.Identifier).text : undefined;
  if (!name) return true;
  const text = analysis.sourceFile.text;
  const id = name.replace(/\$/g, '\\$');
  return new RegExp(`\\bexports\\.${id}\\b|\\bexports\\s*=|export\\s*(?:default\\s+${id}\\b|\\{[^}]*\\b${id}\\b)`).test(text);
}

/**
 * `try { await describe(name) } catch { await create(name) }`: created only when the lookup failed,
 * in the catch itself or in a function of the file that only such catches call.
 */
function afterFailedLookup(analysis: FileAnalysis, call: SdkCall): boolean {
  if (inCatchOfLookup(analysis, call.node, call.service)) return true;
  const fn = enclosingFunction(call.node);
  if (!fn || exported(analysis, fn)) return false;
  const callers = callersOf(analysis, fn, analysis);
  return !!callers && callers.length > 0 && callers.every((c) => c.facts === analysis && !c.through && inCatchOfLookup(analysis, c.call, call.service));
}

/**
 * The rejection handlers chained on the promise of `node`: `.catch(onRejected)` and the second
 * argument of `.then(onFulfilled, onRejected)`, through the chain's other `then`/`finally` calls
 * (and v2's `.promise()`).
 */
function rejectionHandlers(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  // a v3 command: the promise is the `send(command)` it is given to
  let promise: ts.Node = ts.isNewExpression(node) && node.parent && ts.isCallExpression(node.parent) && node.parent.arguments.includes(node) ? node.parent : node;
  for (;;) {
    step();
    let parent = promise.parent;
    while (parent && ts.isParenthesizedExpression(parent)) {
      promise = parent;
      parent = parent.parent;
    }
    if (!parent || !ts.isPropertyAccessExpression(parent) || parent.expression !== promise) break;
    const chained = parent.parent;
    if (!chained || !ts.isCallExpression(chained) || chained.expression !== parent) break;
    const method = parent.name.text;
    if (method === 'catch' && chained.arguments[0]) out.push(chained.arguments[0]);
    else if (method === 'then' && chained.arguments[1]) out.push(chained.arguments[1]);
    // v2: `client.createStackSet(params).promise()` is the request's promise
    else if (method !== 'then' && method !== 'finally' && !(method === 'promise' && chained.arguments.length === 0)) break;
    promise = chained;
  }
  return out;
}

/** A block that ends every error it catches: no `throw`, no `return`, no rejection passed on (it logs, at most). */
const PASSES_ON = /\bthrow\b|\breturn\b|\breject\b|\bnext\s*\(|\bcallback\s*\(|process\.exit/;

function swallows(block: ts.Block): boolean {
  return !PASSES_ON.test(block.getText());
}

/**
 * Does the code treat the error `pattern` names as done? A `catch` around the call or a rejection
 * handler chained on it that names the error, or that swallows every error (a block that only logs).
 */
function handles(call: SdkCall, pattern: RegExp): boolean {
  if (catchesAround(call.node).some((c) => pattern.test(c.block.getText()) || swallows(c.block))) return true;
  return rejectionHandlers(call.node).some((h) => {
    if (pattern.test(h.getText())) return true;
    const fn = ts.isParenthesizedExpression(h) ? h.expression : h;
    return (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isBlock(fn.body) && swallows(fn.body);
  });
}

/** What a DynamoDB transaction item does when repeated: the same state, a failed condition, or a change. */
function transactionItem(analysis: FileAnalysis, item: ts.ObjectLiteralExpression): 'same' | 'conditional' | 'changes' {
  for (const kind of ['Put', 'Delete', 'Update', 'ConditionCheck']) {
    const p = getProperty(analysis, item, kind);
    if (p.kind === 'absent') continue;
    if (p.kind === 'unknown') return 'changes';
    if (kind === 'ConditionCheck') return 'same';
    const condition = getProperty(analysis, p.value, 'ConditionExpression');
    if (condition.kind === 'unknown') return 'changes';
    if (kind === 'Update') {
      const expr = getProperty(analysis, p.value, 'UpdateExpression');
      const text = expr.kind === 'present' ? stringShape(analysis, expr.value)?.exact : undefined;
      if (text === undefined || changesRelatively(text)) return 'changes';
    }
    return condition.kind === 'present' ? 'conditional' : 'same';
  }
  return 'changes';
}

/** `ADD n :one`, `SET n = n + :one`, `list_append(...)`: an update that moves further on each repeat. */
function changesRelatively(expression: string): boolean {
  return updateClauses(expression).has('ADD') || /list_append\s*\(/i.test(expression) || relativeSets(expression).length > 0;
}

/**
 * Operations that a repeat cannot make take effect twice: a create of a uniquely named resource, a
 * delete, a transaction whose writes overwrite, delete or are conditional. `safe` when the code
 * also handles the error the repeat gets (or creates only after a failed lookup) or when the
 * repeat succeeds unchanged; `no-duplicate` when the repeat fails instead of returning the first
 * result.
 */
function naturalIdempotency(analysis: FileAnalysis, call: SdkCall): Natural | undefined {
  if (readOnlyQuery(analysis, call)) return { kind: 'safe' };
  const named = NAMED_CREATES[`${call.service}:${call.operation}`];
  if (named) {
    const name = getProperty(analysis, call.input, named);
    if (name.kind !== 'present' || unstableValue(analysis, name.value)) return undefined;
    if (afterFailedLookup(analysis, call) || handles(call, CONFLICT_HANDLED)) return { kind: 'safe' };
    return { kind: 'no-duplicate', why: `its \`${named}\` is unique, so a repeat cannot create a second one`, error: 'fails because the name is taken' };
  }
  if (call.service === 'secrets-manager' && (call.operation === 'UpdateSecret' || (call.operation === 'PutSecretValue' && getProperty(analysis, call.input, 'VersionStages').kind === 'absent'))) {
    // sets the secret's current value: a repeat adds a version holding the same value and leaves
    // the secret as the first call did (a token only matters to rotation steps, which stage
    // their version under the token the rotation hands them)
    return { kind: 'safe' };
  }
  if (/^Delete/.test(call.operation)) {
    if (handles(call, NOT_FOUND_HANDLED)) return { kind: 'safe' };
    return { kind: 'no-duplicate', why: 'deleting twice cannot delete more', error: 'fails with a not-found error' };
  }
  if (call.service === 'dynamodb' && call.operation === 'TransactWriteItems') {
    const items = getProperty(analysis, call.input, 'TransactItems');
    const objects = items.kind === 'present' ? entryObjects(analysis, items.value) : undefined;
    if (!objects || objects.length === 0) return undefined;
    const kinds = objects.map((o) => transactionItem(analysis, o));
    if (kinds.includes('changes')) return undefined;
    if (!kinds.includes('conditional') || handles(call, CANCELLED_HANDLED)) return { kind: 'safe' };
    return { kind: 'no-duplicate', why: 'its writes overwrite, delete or are conditional, so a repeat cannot apply them twice', error: 'fails its condition (TransactionCanceledException)' };
  }
  return undefined;
}

function naturalReport(subject: string, member: string, node: ts.Node, natural: Extract<Natural, { kind: 'no-duplicate' }>, context: ContextEvidence | undefined): CodeReport {
  const again = redelivered(context);
  const consequence = again
    ? `${again} ${natural.error} and is delivered again until it reaches the dead-letter queue`
    : `a repeat of a call that succeeded ${natural.error} instead of returning the first result`;
  return {
    node,
    severity: context?.context === 'at-least-once' ? 'warning' : 'note',
    message: `${subject}: ${natural.why}, but ${consequence}; treat that error as "already done", or pass a ${member} derived from the operation so that the service recognises the repeat`,
  };
}

/** Reports for the SDK calls `calls` of a file, each in the context `contextOf` gives it; `scope` is the file the scan is for. */
function callReports(scope: FileAnalysis, analysis: FileAnalysis, calls: readonly SdkCall[], contextOf: (node: ts.Node) => ContextEvidence | undefined, project?: FileProjectContext): CodeReport[] {
  const reports: CodeReport[] = [];
  for (const call of calls) {
    const context = contextOf(call.node);
    const fifo = FIFO_OPERATIONS[call.service]?.[call.operation];
    if (fifo) {
      reports.push(...fifoReports(analysis, call, fifo, context, project));
      continue;
    }
    if (call.service === 'sfn' && call.operation === 'StartExecution') {
      const name = getProperty(analysis, call.input, 'name').kind;
      if (name === 'absent') reports.push({ node: call.node, severity: severityFor(context), message: startMessage('StartExecution without name', context) });
      else if (name === 'unknown') reports.push(...passedInputReports(scope, analysis, call, 'name'));
      continue;
    }
    const member = tokenMember(call.service, call.operation);
    if (!member) continue;
    const token = getProperty(analysis, call.input, member).kind;
    if (token === 'unknown') {
      reports.push(...passedInputReports(scope, analysis, call, member));
      continue;
    }
    if (token !== 'absent') continue;
    const natural = naturalIdempotency(analysis, call);
    if (natural?.kind === 'safe') continue;
    if (natural) {
      reports.push(naturalReport(`${call.operation} without ${member}`, member, call.node, natural, context));
      continue;
    }
    reports.push({ node: call.node, severity: severityFor(context), message: tokenMessage(`${call.operation} without ${member}`, call.operation, context, sdkGeneratesToken(call.service, call.operation)) });
  }
  return reports;
}

function startMessage(subject: string, context: ContextEvidence | undefined): string {
  return `${subject}: ${redelivered(context) ?? 'a retried start'} launches a second execution of the workflow`;
}

function tokenMessage(subject: string, operation: string, context: ContextEvidence | undefined, generated = true): string {
  return `${subject}: ${tokenConsequence(context, operation, generated)}`;
}

// ---------------------------------------------------------------------------------------------
// inputs that callers pass to the function making the call

/**
 * Operations whose natural idempotency depends on what the input holds (a unique name, the
 * transaction's items, staging labels): through a parameter, that is not evaluated, and they are
 * left alone.
 */
function naturalNeedsInput(call: SdkCall): boolean {
  const key = `${call.service}:${call.operation}`;
  return key in NAMED_CREATES || key === 'dynamodb:TransactWriteItems' || key === 'secrets-manager:UpdateSecret' || key === 'secrets-manager:PutSecretValue';
}

/** The context of a call of the scan's file or of code it reaches in another module, with that call of the handler file for the latter. */
function contextOfCall(scope: FileAnalysis, site: CallSite): { context?: ContextEvidence; from?: ts.CallExpression } {
  if (site.facts === scope) return { context: scope.contexts.contextAt(site.call) };
  const file = reachedFiles(scope).find((f) => f.facts === site.facts);
  const reached = file && reachedAt(file, site.call);
  return reached ? { context: reached.context, from: reached.from } : { context: contextsOf(site.facts).contextAt(site.call) };
}

function sameContext(a: ContextEvidence | undefined, b: ContextEvidence | undefined): boolean {
  return a?.context === b?.context && a?.source === b?.source;
}

/**
 * The input of `call` comes from a parameter of its function (`new XCommand(params)`,
 * `new XCommand({ ...params, Foo })`): when every call of that function passes an object whose
 * `member` is known to be absent, and all of them run in the same context, each such call is
 * reported where the object is handed over (the caller has what the token is derived from: the
 * message, the event, the order), with the SDK call as a related location. A caller passing an
 * unknown object or one with the member, or callers in different contexts, leave the call alone.
 */
function passedInputReports(scope: FileAnalysis, analysis: FileAnalysis, call: SdkCall, member: string): CodeReport[] {
  if (!call.input || naturalNeedsInput(call)) return [];
  const passed = propertyAtCalls(analysis, call.input, member, scope);
  if (!passed || passed.length === 0 || passed.some((p) => p.lookup.kind !== 'absent')) return [];
  const contexts = passed.map((p) => contextOfCall(scope, p.calls[p.calls.length - 1]));
  if (contexts.some((c) => !sameContext(c.context, contexts[0].context))) return [];
  let natural = naturalIdempotency(analysis, call);
  if (natural?.kind === 'safe') return [];
  // a delete whose caller handles the not-found error
  if (natural && passed.some((p) => p.calls.some((c) => catchesAround(c.call).some((k) => NOT_FOUND_HANDLED.test(k.block.getText()))))) natural = { kind: 'safe' };
  if (natural?.kind === 'safe') return [];
  const reports: CodeReport[] = [];
  const seen = new Set<ts.Node>();
  passed.forEach((p, i) => {
    if (seen.has(p.argument)) return;
    seen.add(p.argument);
    const { context, from } = contexts[i];
    const last = p.calls[p.calls.length - 1];
    // outermost first: `a(...)` hands this object to `b(...)`, which sends it at lib.js:5
    const labels = p.calls.map((c) => `\`${c.label ?? calleeLabel(c.call)}\``).reverse();
    const sender = `${labels[labels.length - 1]}${labels.length > 1 ? ', which sends' : ' sends'}`;
    const handed = labels.length > 1 ? `${labels.slice(0, -1).join(' then ')} hands this object to ${sender} it` : `${sender} this object`;
    const subject = `${call.operation} without ${member} (${handed} at ${shownLocation(last.call, call.node)})`;
    const related: { node: ts.Node; label: string }[] = [{ node: call.node, label: `sent here without ${member}` }];
    const built = objectLiteralOf(last.facts, p.argument);
    if (built && built !== unwrap(p.argument) && built.getSourceFile() === p.argument.getSourceFile()) related.push({ node: built, label: 'the object is built here' });
    if (from) related.push({ node: from, label: 'reached from this call of the handler' });
    let report: CodeReport;
    if (natural) report = naturalReport(subject, member, p.argument, natural, context);
    else if (member === 'name' && call.service === 'sfn') report = { node: p.argument, severity: severityFor(context), message: startMessage(subject, context) };
    else report = { node: p.argument, severity: severityFor(context), message: tokenMessage(subject, call.operation, context, sdkGeneratesToken(call.service, call.operation)) };
    reports.push({ ...report, related });
  });
  return reports;
}

const detector: CodeDetector = {
  // SDK calls are recognised by import source: no AWS SDK import, nothing to find (in this file
  // or in the helpers a handler file reaches)
  prefilter: /aws-sdk/,
  followsImports: true,
  code({ analysis, project }) {
    const reports = callReports(analysis, analysis, analysis.sdkCalls, (node) => analysis.contexts.contextAt(node), project);
    // calls a handler reaches in other modules, in the context of the call that reaches them
    for (const file of reachedFiles(analysis)) {
      const calls = file.facts.sdkCalls.filter((c) => reachedAt(file, c.node));
      for (const r of callReports(analysis, file.facts, calls, (node) => reachedAt(file, node)?.context)) {
        const from = reachedAt(file, r.node)?.from;
        reports.push(from && !r.related?.some((x) => x.node === from) ? { ...r, related: [...(r.related ?? []), { node: from, label: 'reached from this call of the handler' }] } : r);
      }
    }
    return reports;
  },
};

export default detector;
