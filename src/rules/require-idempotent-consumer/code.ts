/**
 * Writes that change state again on every delivery, made from an at-least-once handler with no
 * idempotency guard:
 * - DynamoDB `UpdateItem` (client or document client) that increments (`ADD` of a number,
 *   `SET x = x + :n` / `x - :n`) or appends (`list_append`) without a `ConditionExpression`;
 * - DynamoDB OneTable `Model.update(key, { add: {...} })` without a `where` condition;
 * - DynamoDB `PutItem` of an item whose key attribute is fresh on every run (`randomUUID()`,
 *   `Date.now()`, ...): a redelivery stores a second item;
 * - S3 `PutObject` (or a lib-storage `Upload`) under a key that is fresh on every run: a
 *   redelivery leaves a second object for whatever reads the bucket;
 * - Stripe creation calls (`charges.create`, `paymentIntents.create`, ...) without an
 *   `idempotencyKey` request option;
 * - Redis commands that add to a stored number (`INCR`, `INCRBY`, `HINCRBY`, `ZINCRBY`, ...) on a
 *   client of `redis`, `@redis/client` or `ioredis`, unless the file claims a key with `SET ... NX`;
 * - OpenSearch / Elasticsearch writes that add on every run: `index` without an `id`, `bulk`
 *   `index` actions without `_id`, `update` / `updateByQuery` scripts that add to a stored value
 *   (`../../code/search-writes.ts`).
 *
 * The context is `analysis.contexts.contextAt(write)`: the handler that contains the write, or,
 * for module-level helpers, the handlers of the file when they all agree (a helper of an
 * at-least-once handler runs once per delivery too). Writes in helpers are therefore reported.
 *
 * Guards silence the whole file, because a guard usually wraps a helper that performs the write
 * (`makeIdempotent(processRecord, ...)`): Powertools `makeIdempotent`, `makeHandlerIdempotent`
 * or `@idempotent`; a DynamoDB write conditioned on `attribute_not_exists` (the usual "record the
 * message id first" pattern); a call of a function named in the `guardFunctions` option.
 */
import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { SdkCall } from '../../code/aws-sdk.js';
import type { ContextEvidence } from '../../code/evidence.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { enclosingFunction, unwrap, walk } from '../../code/walk.js';
import { unstableValue } from '../../code/unstable-values.js';
import { reachedAt, reachedFiles, type ReachedFile } from '../../code/reach.js';
import { calleeAcross, shownLocation } from '../../code/modules.js';
import { calleeLabel } from '../../code/remote-calls.js';
import { searchWritesOf } from '../../code/search-writes.js';
import { relativeSets, splitActions, updateClauses } from '../../code/update-expressions.js';

export interface RequireIdempotentConsumerOptions {
  guardFunctions: string[];
}

const POWERTOOLS = /^@aws-lambda-powertools\/idempotency(\/|$)/;
const POWERTOOLS_GUARDS = new Set(['makeIdempotent', 'makeHandlerIdempotent', 'idempotent', 'idempotentFunction', 'idempotentLambdaHandler']);

/** Stripe resources whose `create` moves money or creates a billable object. */
const STRIPE_CREATES = new Set([
  'charges',
  'paymentIntents',
  'refunds',
  'payouts',
  'transfers',
  'topups',
  'subscriptions',
  'invoices',
  'invoiceItems',
  'customers',
  'creditNotes',
]);

/** Item attributes that are (part of) a key by convention. */
const KEY_NAME = /^(pk|sk|id|_id|key|hashKey|rangeKey|partitionKey|sortKey|gsi\d*pk|gsi\d*sk)$/i;
/** A first attribute named like an identifier (`orderId`, `event_id`, `messageKey`, `downloadHash`: a hash key). */
const ID_NAME = /^[a-z][a-zA-Z0-9_]*(Id|ID|_id|Key|_key|Hash|_hash)$/;
/** Attributes that say when the item expires or was written, never what names it (`ttl`, `expiresAt`, `createdDate`). */
const LIFETIME_NAME = /^(?:ttl|(?:expires?|expiry|expiration|created|updated)(?:_?(?:at|on|date|time))?|timestamp)$/i;

const DELIVERY: Record<string, string> = {
  SQS: 'message',
  SNS: 'message',
  Kinesis: 'record',
  'DynamoDB Streams': 'record',
  Kafka: 'record',
  Firehose: 'record',
  // a task a retrier of the workflow runs again
  'Step Functions': 'task',
};

function redelivery(context: ContextEvidence): string {
  return `a redelivered ${context.source ? `${context.source} ${DELIVERY[context.source] ?? 'event'}` : 'event'}`;
}

function where(context: ContextEvidence): string {
  return `in an at-least-once handler (${context.reason})`;
}

// ---------------------------------------------------------------------------------------------
// guards

function calleeName(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isCallExpression(e)) return calleeName(e.expression);
  return undefined;
}

function hasGuard(analysis: FileAnalysis, guardFunctions: readonly string[]): boolean {
  const powertools = [...analysis.modules].some((m) => POWERTOOLS.test(m));
  const custom = new Set(guardFunctions);
  for (const call of analysis.calls) {
    const name = calleeName(call.expression);
    if (!name) continue;
    if (custom.has(name)) return true;
    if (powertools && POWERTOOLS_GUARDS.has(name)) {
      const origin = analysis.origin(unwrap(call.expression));
      if (origin?.kind === 'module' && POWERTOOLS.test(origin.ref.module)) return true;
    }
  }
  if (powertools || custom.size > 0) {
    let decorated = false;
    walk(analysis.sourceFile, (n) => {
      if (decorated) return false;
      if (ts.isDecorator(n)) {
        const name = calleeName(n.expression);
        if (name && (custom.has(name) || (powertools && POWERTOOLS_GUARDS.has(name)))) decorated = true;
      }
      return !decorated;
    });
    if (decorated) return true;
  }
  // "record the message id first": a conditional write that fails on a second delivery, in a
  // put, an update or a transaction item wherever its parameters are built
  let conditional = false;
  walk(analysis.sourceFile, (n) => {
    if (conditional) return false;
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'ConditionExpression') {
      const exact = stringShape(analysis, n.initializer)?.exact;
      const texts = exact !== undefined ? [exact] : templateTexts(analysis, n.initializer);
      if (texts?.every((text) => /attribute_not_exists/.test(text))) conditional = true;
    }
    return !conditional;
  });
  if (conditional) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB update expressions

/**
 * Whether the placeholder's value may be a set (adding an element again changes nothing): it is
 * one, or the attribute values cannot be read.
 */
function maybeSetValue(analysis: FileAnalysis, input: ts.Expression, placeholder: string): boolean {
  const values = getProperty(analysis, input, 'ExpressionAttributeValues');
  if (values.kind !== 'present') return values.kind === 'unknown';
  const v = getProperty(analysis, values.value, placeholder);
  if (v.kind !== 'present') return v.kind === 'unknown';
  return isSetExpression(analysis, v.value);
}

/** `new Set(...)`, `docClient.createSet(...)`, `{ SS: [...] }`: a DynamoDB set value. */
function isSetExpression(analysis: FileAnalysis, expr: ts.Expression): boolean {
  const value = analysis.resolveValue(expr);
  if (ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Set') return true;
  if (ts.isCallExpression(value) && calleeName(value.expression) === 'createSet') return true;
  const obj = objectLiteralOf(analysis, value);
  return !!obj && ['SS', 'NS', 'BS'].some((k) => getProperty(analysis, obj, k).kind === 'present');
}

/** What makes an update expression non-idempotent, for the message; undefined when it is idempotent. */
function nonIdempotentUpdate(analysis: FileAnalysis, input: ts.Expression, expression: string): string | undefined {
  const add = updateClauses(expression).get('ADD');
  if (add) {
    for (const action of splitActions(add)) {
      const [path, placeholder] = action.split(/\s+/);
      if (!placeholder || maybeSetValue(analysis, input, placeholder)) continue;
      return `adds to \`${path}\` with ADD`;
    }
  }
  for (const relative of relativeSets(expression)) {
    if (relative.kind === 'append') return `appends to \`${relative.path}\` with list_append`;
    return `changes \`${relative.path}\` relative to its current value (\`${relative.action.replace(/\s+/g, ' ')}\`)`;
  }
  return undefined;
}

/** A condition of `attribute_exists(...)` terms joined by AND: only "the item is there", which a repeat finds too. */
const EXISTS_ONLY = /^\s*\(*\s*attribute_exists\s*\(\s*[#\w.[\]]+\s*\)\s*\)*(?:\s+AND\s+\(*\s*attribute_exists\s*\(\s*[#\w.[\]]+\s*\)\s*\)*)*\s*$/i;

/**
 * The ConditionExpression of an update, when it only requires the item to exist
 * (`attribute_exists(testId)`): it stops an update of a deleted item, not a second delivery.
 */
function existenceOnlyCondition(analysis: FileAnalysis, input: ts.Expression): string | undefined | false {
  const cond = getProperty(analysis, input, 'ConditionExpression');
  if (cond.kind === 'absent') return undefined;
  if (cond.kind !== 'present') return false;
  const text = stringShape(analysis, cond.value)?.exact;
  if (text === undefined || !EXISTS_ONLY.test(text) || /\bOR\b|\bNOT\b/i.test(text)) return false;
  return text.replace(/\s+/g, ' ').trim();
}

function updateReport(analysis: FileAnalysis, call: Pick<SdkCall, 'input' | 'calledName'>, context: ContextEvidence): CodeReport | undefined {
  if (!call.input) return undefined;
  if (getProperty(analysis, call.input, 'Expected').kind !== 'absent') return undefined;
  const existsOnly = existenceOnlyCondition(analysis, call.input);
  if (existsOnly === false) return undefined;
  const expr = getProperty(analysis, call.input, 'UpdateExpression');
  if (expr.kind !== 'present') return existsOnly ? undefined : legacyUpdateReport(analysis, call, context);
  const exact = stringShape(analysis, expr.value)?.exact;
  const texts = exact !== undefined ? [exact] : templateTexts(analysis, expr.value);
  const what = texts?.map((text) => nonIdempotentUpdate(analysis, call.input!, text)).find((w) => w !== undefined);
  if (!what) return undefined;
  return {
    node: expr.node,
    message: existsOnly
      ? `\`${call.calledName}\` ${what} ${where(context)} with a ConditionExpression that only requires the item to exist (\`${existsOnly}\`), which a repeat finds too: ${redelivery(context)} applies the change twice`
      : `\`${call.calledName}\` ${what} ${where(context)} without a ConditionExpression: ${redelivery(context)} applies the change twice`,
  };
}

const TRANSACTION_ACTIONS = ['Put', 'Update', 'Delete'];

/**
 * The `Update` items of a transaction (`TransactItems: [{ Update: {...} }]`), each judged as an
 * update of its own. A transaction is all or nothing: one condition anywhere in it (a
 * `ConditionCheck`, a `ConditionExpression` on any item, a marker `Put` with
 * `attribute_not_exists`) can make a repeat fail as a whole, and a `ClientRequestToken` makes it
 * recognised when it is repeated; such a transaction, or one whose items the file does not list,
 * is not reported.
 */
function transactionReports(analysis: FileAnalysis, call: SdkCall, context: ContextEvidence): CodeReport[] {
  if (!call.input || getProperty(analysis, call.input, 'ClientRequestToken').kind !== 'absent') return [];
  const items = getProperty(analysis, call.input, 'TransactItems');
  const list = items.kind === 'present' ? analysis.resolveValue(items.value) : undefined;
  if (!list || !ts.isArrayLiteralExpression(list)) return [];
  const updates: ts.Expression[] = [];
  const puts: ts.Expression[] = [];
  for (const element of list.elements) {
    const item = objectLiteralOf(analysis, element);
    if (!item || getProperty(analysis, item, 'ConditionCheck').kind !== 'absent') return [];
    for (const action of TRANSACTION_ACTIONS) {
      const inner = getProperty(analysis, item, action);
      if (inner.kind === 'absent') continue;
      if (inner.kind !== 'present' || getProperty(analysis, inner.value, 'ConditionExpression').kind !== 'absent') return [];
      if (action === 'Update') updates.push(inner.value);
      if (action === 'Put') puts.push(inner.value);
    }
  }
  const out: CodeReport[] = [];
  for (const update of updates) {
    const report = updateReport(analysis, { input: update, calledName: `${call.calledName}\` item \`Update` }, context);
    if (report) out.push(report);
  }
  // a `Put` under a fresh key stores a second copy on a repeat, as a `PutItem` would (once per
  // transaction: its items usually share the key)
  for (const put of puts) {
    const report = putReport(analysis, { ...call, input: put, calledName: `${call.calledName}\` item \`Put` }, context);
    if (!report) continue;
    out.push(report);
    break;
  }
  return out;
}

/** Legacy `AttributeUpdates: { count: { Action: 'ADD', Value: 1 } }` (SDK v2 code). */
function legacyUpdateReport(analysis: FileAnalysis, call: Pick<SdkCall, 'input' | 'calledName'>, context: ContextEvidence): CodeReport | undefined {
  const attributeUpdates = getProperty(analysis, call.input, 'AttributeUpdates');
  const updates = attributeUpdates.kind === 'present' ? objectLiteralOf(analysis, attributeUpdates.value) : undefined;
  if (!updates) return undefined;
  for (const prop of updates.properties) {
    if (!ts.isPropertyAssignment(prop)) continue;
    const action = getProperty(analysis, prop.initializer, 'Action');
    if (action.kind !== 'present' || stringShape(analysis, action.value)?.exact !== 'ADD') continue;
    const value = getProperty(analysis, prop.initializer, 'Value');
    if (value.kind === 'present' && isSetExpression(analysis, value.value)) continue;
    return {
      node: action.node,
      message: `\`${call.calledName}\` adds to \`${prop.name.getText()}\` with Action ADD ${where(context)} without a condition: ${redelivery(context)} applies the change twice`,
    };
  }
  return undefined;
}

/** At most this many texts of one template literal (each conditional substitution doubles them). */
const MAX_TEMPLATE_TEXTS = 8;

/**
 * The texts of a template literal: a substitution that is a known string is that string, one
 * that picks between known strings (`${up ? '+' : '-'}`) is each of them, and any other is a
 * placeholder, the same one for the same expression (`SET ${f} = ${f} + :n` stays readable).
 */
function templateTexts(analysis: FileAnalysis, expr: ts.Expression): string[] | undefined {
  const e = analysis.resolveValue(expr);
  if (ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (!ts.isTemplateExpression(e)) return undefined;
  let texts = [e.head.text];
  const placeholders = new Map<string, string>();
  for (const span of e.templateSpans) {
    let options = substitutionTexts(analysis, span.expression);
    if (!options) {
      const key = span.expression.getText();
      const placeholder = placeholders.get(key) ?? `:sub${placeholders.size}`;
      placeholders.set(key, placeholder);
      options = [placeholder];
    }
    const next: string[] = [];
    for (const text of texts) for (const option of options) if (next.length < MAX_TEMPLATE_TEXTS) next.push(text + option + span.literal.text);
    texts = next;
  }
  return texts;
}

/** The strings a substitution can be: a known string, or each branch of a conditional between known strings. */
function substitutionTexts(analysis: FileAnalysis, expr: ts.Expression): string[] | undefined {
  const e = analysis.resolveValue(expr);
  if (ts.isConditionalExpression(e)) {
    const yes = stringShape(analysis, e.whenTrue)?.exact;
    const no = stringShape(analysis, e.whenFalse)?.exact;
    return yes !== undefined && no !== undefined ? [yes, no] : undefined;
  }
  const exact = stringShape(analysis, e)?.exact;
  return exact !== undefined ? [exact] : undefined;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB puts under a fresh key

/** `{ S: randomUUID() }` → `randomUUID()`; plain values as they are (document client). */
function attributeValue(analysis: FileAnalysis, value: ts.Expression, documentClient: boolean): ts.Expression | undefined {
  if (documentClient) return value;
  const obj = objectLiteralOf(analysis, value);
  if (!obj) return undefined;
  for (const k of ['S', 'N']) {
    const p = getProperty(analysis, obj, k);
    if (p.kind === 'present') return p.value;
  }
  return undefined;
}

/** The item literal: `{ ... }`, or `marshall({ ... })` (util-dynamodb) whose values are plain. */
function itemLiteral(analysis: FileAnalysis, expr: ts.Expression, documentClient: boolean): { obj: ts.ObjectLiteralExpression; plain: boolean } | undefined {
  const value = analysis.resolveValue(expr);
  if (ts.isCallExpression(value) && calleeName(value.expression) === 'marshall' && value.arguments[0]) {
    const obj = objectLiteralOf(analysis, value.arguments[0]);
    return obj ? { obj, plain: true } : undefined;
  }
  const obj = objectLiteralOf(analysis, value);
  return obj ? { obj, plain: documentClient } : undefined;
}

/**
 * The attributes that are likely the item's key: the conventional key names (`pk`, `sk`, `id`, ...)
 * when the item has any, otherwise its first attribute (after a `ttl` or a write time) when it is
 * named like an id.
 */
function keyAttributes(obj: ts.ObjectLiteralExpression): { name: string; prop: ts.PropertyAssignment | ts.ShorthandPropertyAssignment }[] {
  const props: { name: string; prop: ts.PropertyAssignment | ts.ShorthandPropertyAssignment }[] = [];
  for (const prop of obj.properties) {
    if (!ts.isPropertyAssignment(prop) && !ts.isShorthandPropertyAssignment(prop)) continue;
    const name = ts.isIdentifier(prop.name) || ts.isStringLiteralLike(prop.name) ? prop.name.text : undefined;
    if (name) props.push({ name, prop });
  }
  const conventional = props.filter((p) => KEY_NAME.test(p.name));
  if (conventional.length > 0) return conventional;
  // the first attribute that names the item: a time-to-live or a write time put first is not it
  const first = props.find((p) => !LIFETIME_NAME.test(p.name));
  return first && ID_NAME.test(first.name) ? [first] : [];
}

/** Id-like attributes that name the request or its trace rather than the item. */
const NOT_ITEM_ID = /(?:trace|request|correlation|span|execution|session|message|log)_?id$/i;

/**
 * `item.id = uuid.v4()` (`item.dataset_id = shortid.generate()`) in the function that stores `item`,
 * before it does: the key set on the object the put stores (a key-like or id-like attribute).
 */
function assignedFreshKey(
  analysis: FileAnalysis,
  put: ts.Node,
  value: ts.Expression,
): { name: string; node: ts.Node; u: NonNullable<ReturnType<typeof unstableValue>> } | undefined {
  const id = unwrap(value);
  const fn = enclosingFunction(put);
  if (!ts.isIdentifier(id) || !fn?.body) return undefined;
  let found: { name: string; node: ts.Node; u: NonNullable<ReturnType<typeof unstableValue>> } | undefined;
  walk(fn.body, (node) => {
    if (found || node.pos >= put.pos) return false;
    if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    const left = unwrap(node.left);
    if (!ts.isPropertyAccessExpression(left) || !ts.isIdentifier(unwrap(left.expression)) || (unwrap(left.expression) as ts.Identifier).text !== id.text) return undefined;
    const name = left.name.text;
    if (!KEY_NAME.test(name) && (!ID_NAME.test(name) || NOT_ITEM_ID.test(name))) return undefined;
    const u = unstableValue(analysis, node.right);
    if (u) found = { name, node, u };
    return undefined;
  });
  return found;
}

function putReport(analysis: FileAnalysis, call: Pick<SdkCall, 'input' | 'calledName' | 'documentClient' | 'node'>, context: ContextEvidence): CodeReport | undefined {
  const item = getProperty(analysis, call.input, 'Item');
  if (item.kind !== 'present') return undefined;
  const literal = itemLiteral(analysis, item.value, call.documentClient);
  const assigned = call.documentClient ? assignedFreshKey(analysis, call.node, item.value) : undefined;
  if (assigned) {
    return {
      node: assigned.node,
      message: `\`${call.calledName}\` stores the item under a fresh \`${assigned.name}\` from ${assigned.u.label} ${where(context)}: ${redelivery(context)} stores a second copy`,
      related: [{ node: call.node, label: 'the item is stored here' }],
    };
  }
  if (!literal) return undefined;
  for (const { name, prop } of keyAttributes(literal.obj)) {
    const raw = ts.isPropertyAssignment(prop) ? prop.initializer : prop.name;
    const value = attributeValue(analysis, raw, literal.plain);
    const u = value && unstableValue(analysis, value);
    if (!u) continue;
    return {
      node: prop,
      message: `\`${call.calledName}\` stores the item under a fresh \`${name}\` from ${u.label} ${where(context)}: ${redelivery(context)} stores a second copy`,
      related: u.source !== unwrap(raw) && u.source !== value ? [{ node: u.source, label: 'key generated here' }] : undefined,
    };
  }
  return undefined;
}

/**
 * `db.put({ pk, sk: `client#${randomUUID()}` })` in the handler file, with `put(item)` of a helper
 * module storing its parameter (`Item: marshall(item)`, a document client's `Item: item`): the
 * fresh key is made at the handler's call, and reported there. Only the function the handler's
 * call runs directly is read, where the parameters are that call's arguments.
 */
function passedItemReports(analysis: FileAnalysis, file: ReachedFile): CodeReport[] {
  const out: CodeReport[] = [];
  const facts = file.facts;
  for (const call of facts.sdkCalls) {
    if (call.service !== 'dynamodb' || call.operation !== 'PutItem') continue;
    const reached = reachedAt(file, call.node);
    const context = reached?.context?.context === 'at-least-once' ? reached.context : undefined;
    if (!reached || !context || enclosingFunction(call.node) !== reached.fn) continue;
    const item = getProperty(facts, call.input, 'Item');
    if (item.kind !== 'present') continue;
    let value = facts.resolveValue(item.value);
    let plain = call.documentClient;
    if (ts.isCallExpression(value) && calleeName(value.expression) === 'marshall' && value.arguments[0]) {
      value = unwrap(value.arguments[0]);
      plain = true;
    }
    if (!ts.isIdentifier(value)) {
      const built = builtItemReport(analysis, file, reached, call, context);
      if (built) out.push(built);
      continue;
    }
    const name = value.text;
    const index = reached.fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name);
    const arg = index >= 0 ? reached.from.arguments[index] : undefined;
    if (!arg || calleeAcross(analysis, reached.from.expression)?.fn !== reached.fn) continue;
    const obj = objectLiteralOf(analysis, arg);
    if (!obj) continue;
    for (const { name: key, prop } of keyAttributes(obj)) {
      const raw = ts.isPropertyAssignment(prop) ? prop.initializer : prop.name;
      const v = attributeValue(analysis, raw, plain);
      const u = v && unstableValue(analysis, v);
      if (!u) continue;
      out.push({
        node: prop,
        message: `\`${calleeLabel(reached.from)}\` stores the item under a fresh \`${key}\` from ${u.label} (\`${call.calledName}\` in ${shownLocation(reached.from, call.node)}) ${where(context)}: ${redelivery(context)} stores a second copy`,
        related: [{ node: call.node, label: 'the item is stored here' }],
      });
      break;
    }
  }
  return out;
}

/**
 * `writeRecord({ recordId: randomUUID(), ... })` in the handler file, with `writeRecord(params)` of a
 * helper module building the item from its parameter's members (`Item: { recordId: { S:
 * params.recordId } }`, or `({ recordId }) => ... Item: { recordId }` with the document client):
 * the key attribute of the item is the member the handler passes, fresh at the handler's call.
 */
function builtItemReport(
  analysis: FileAnalysis,
  file: ReachedFile,
  reached: NonNullable<ReturnType<typeof reachedAt>>,
  call: SdkCall,
  context: ContextEvidence,
): CodeReport | undefined {
  const facts = file.facts;
  const item = getProperty(facts, call.input, 'Item');
  const literal = item.kind === 'present' ? itemLiteral(facts, item.value, call.documentClient) : undefined;
  if (!literal) return undefined;
  for (const { name: key, prop } of keyAttributes(literal.obj)) {
    const raw = ts.isPropertyAssignment(prop) ? prop.initializer : prop.name;
    const v = attributeValue(facts, raw, literal.plain);
    const member = v && parameterMember(reached.fn, v);
    const arg = member ? reached.from.arguments[member.index] : undefined;
    if (!member || !arg || calleeAcross(analysis, reached.from.expression)?.fn !== reached.fn) continue;
    const passed = getProperty(analysis, arg, member.name);
    if (passed.kind !== 'present') continue;
    const u = unstableValue(analysis, passed.value);
    if (!u) continue;
    return {
      node: passed.node,
      message: `\`${calleeLabel(reached.from)}\` stores the item under a fresh \`${key}\` from ${u.label} (\`${call.calledName}\` in ${shownLocation(reached.from, call.node)}) ${where(context)}: ${redelivery(context)} stores a second copy`,
      related: [{ node: call.node, label: 'the item is stored here' }],
    };
  }
  return undefined;
}

/** `params.recordId` of a parameter, or `recordId` bound by destructuring one (`({ recordId }) =>`): the parameter's index and the member. */
function parameterMember(fn: ts.FunctionLikeDeclaration, value: ts.Expression): { index: number; name: string } | undefined {
  const v = unwrap(value);
  if (ts.isPropertyAccessExpression(v) && ts.isIdentifier(unwrap(v.expression))) {
    const base = (unwrap(v.expression) as ts.Identifier).text;
    const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === base);
    return index >= 0 ? { index, name: v.name.text } : undefined;
  }
  if (!ts.isIdentifier(v)) return undefined;
  for (let index = 0; index < fn.parameters.length; index++) {
    const name = fn.parameters[index]!.name;
    if (!ts.isObjectBindingPattern(name)) continue;
    for (const el of name.elements) {
      if (el.dotDotDotToken || !ts.isIdentifier(el.name) || el.name.text !== v.text) continue;
      const member = el.propertyName ? (ts.isIdentifier(el.propertyName) || ts.isStringLiteralLike(el.propertyName) ? el.propertyName.text : undefined) : el.name.text;
      return member ? { index, name: member } : undefined;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// S3 objects under a fresh key

/** `PutObject` (or a lib-storage `Upload`) whose `Key` is fresh on every run: a redelivery stores a second object. */
function objectReport(analysis: FileAnalysis, node: ts.Node, calledName: string, params: ts.Expression | undefined, context: ContextEvidence): CodeReport | undefined {
  const key = getProperty(analysis, params, 'Key');
  if (key.kind !== 'present') return undefined;
  const u = unstableValue(analysis, key.value);
  if (!u) return undefined;
  return {
    node,
    message: `\`${calledName}\` stores the object under a fresh key from ${u.label} ${where(context)}: ${redelivery(context)} stores a second copy`,
    related: u.source !== unwrap(key.value) ? [{ node: u.source, label: 'key generated here' }] : undefined,
  };
}

/** `new Upload({ client, params: { Bucket, Key, Body } })` from `@aws-sdk/lib-storage`: its params. */
function uploadParams(analysis: FileAnalysis, n: ts.NewExpression): ts.Expression | undefined {
  const origin = analysis.origin(n.expression);
  if (origin?.kind !== 'module' || origin.ref.module !== '@aws-sdk/lib-storage' || origin.ref.path.join('.') !== 'Upload') return undefined;
  const params = getProperty(analysis, n.arguments?.[0], 'params');
  return params.kind === 'present' ? params.value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Stripe

/** `stripe.charges.create(...)` on an instance of the `stripe` package: the resource name. */
function stripeCreate(analysis: FileAnalysis, call: ts.CallExpression): string | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'create') return undefined;
  const resource = unwrap(callee.expression);
  if (!ts.isPropertyAccessExpression(resource) || !STRIPE_CREATES.has(resource.name.text)) return undefined;
  if (!isStripeClient(analysis, resource.expression)) return undefined;
  return resource.name.text;
}

function isStripeClient(analysis: FileAnalysis, expr: ts.Expression): boolean {
  const origin = analysis.origin(expr);
  if (origin?.kind === 'instance') return origin.ref.module === 'stripe';
  // `require('stripe')(key)`, `Stripe(key)`
  const value = analysis.resolveValue(expr);
  if (ts.isCallExpression(value)) {
    const o = analysis.origin(unwrap(value.expression));
    return o?.kind === 'module' && o.ref.module === 'stripe';
  }
  return false;
}

function stripeReport(analysis: FileAnalysis, call: ts.CallExpression, resource: string, context: ContextEvidence): CodeReport | undefined {
  const options = call.arguments[1];
  if (options && getProperty(analysis, options, 'idempotencyKey').kind !== 'absent') return undefined;
  if (call.arguments.length > 2) return undefined;
  return {
    node: call,
    message: `\`${resource}.create\` without an idempotencyKey ${where(context)}: ${redelivery(context)} creates a second ${resource === 'charges' || resource === 'paymentIntents' ? 'payment' : 'object'}`,
  };
}

// ---------------------------------------------------------------------------------------------
// Redis counters

const REDIS_MODULES = new Set(['redis', '@redis/client', 'ioredis']);
/** Commands that add to a stored number (node-redis v3 and ioredis lower case, node-redis v4 camel case). */
const REDIS_INCREMENTS = new Set(['incr', 'incrby', 'incrbyfloat', 'decr', 'decrby', 'hincrby', 'hincrbyfloat', 'zincrby']);

/** A client of a Redis package: `new Redis(...)`, `new Redis.Cluster(...)` (ioredis), `createClient(...)`, `createCluster(...)`, also after `.connect()`. */
function isRedisClient(analysis: FileAnalysis, expr: ts.Expression, depth = 0): boolean {
  if (depth > 3) return false;
  const origin = analysis.origin(expr);
  if (origin?.kind === 'instance') return REDIS_MODULES.has(origin.ref.module);
  let value = unwrap(expr);
  if (ts.isIdentifier(value)) value = unwrap(analysis.resolveValue(value));
  if (ts.isAwaitExpression(value)) value = unwrap(value.expression);
  if (ts.isNewExpression(value)) {
    const o = analysis.origin(unwrap(value.expression));
    return o?.kind === 'module' && REDIS_MODULES.has(o.ref.module);
  }
  if (!ts.isCallExpression(value)) return false;
  const callee = unwrap(value.expression);
  // `await createClient({ url }).connect()`
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'connect') return isRedisClient(analysis, callee.expression, depth + 1);
  const o = analysis.origin(callee);
  return o?.kind === 'module' && REDIS_MODULES.has(o.ref.module) && ['createClient', 'createCluster'].includes(o.ref.path[o.ref.path.length - 1] ?? '');
}

/** `client.zincrby(key, n, member)`, `client.incrBy(key, n)` on a Redis client: the command. */
function redisIncrement(analysis: FileAnalysis, call: ts.CallExpression): string | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !REDIS_INCREMENTS.has(callee.name.text.toLowerCase())) return undefined;
  return isRedisClient(analysis, callee.expression) ? callee.name.text : undefined;
}

/** "Record the message id first" in Redis: `SET key value NX` (`'NX'`, `{ NX: true }`), `SETNX`. */
function hasRedisClaim(analysis: FileAnalysis): boolean {
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const name = callee.name.text.toLowerCase();
    if (name === 'setnx') return true;
    if (name !== 'set') continue;
    for (const a of call.arguments) {
      const arg = unwrap(a);
      if (ts.isStringLiteralLike(arg) && arg.text.toUpperCase() === 'NX') return true;
      if (ts.isObjectLiteralExpression(arg) && arg.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text.toUpperCase() === 'NX')) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB OneTable

/**
 * `Model.update(key, { add: { count: 1 } })` in a file of `dynamodb-onetable`: the names the
 * `add` option adds to stored numbers. A `where` condition is trusted, and so is a transaction the
 * update joins (`{ add, transaction }`); the update's default `exists: true` only requires the item
 * to exist, which a repeat finds too. An array or a `Set` added to a set is idempotent.
 */
function oneTableIncrement(analysis: FileAnalysis, call: ts.CallExpression): { names: string[]; node: ts.Node } | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'update' || call.arguments.length < 2) return undefined;
  const params = call.arguments[1];
  const add = getProperty(analysis, params, 'add');
  if (add.kind !== 'present' || getProperty(analysis, params, 'where').kind !== 'absent') return undefined;
  // part of a transaction (`{ add, transaction }`): another item of it may make it all or nothing
  if (getProperty(analysis, params, 'transaction').kind !== 'absent') return undefined;
  const added = objectLiteralOf(analysis, add.value);
  if (!added) return undefined;
  const names: string[] = [];
  for (const p of added.properties) {
    if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) continue;
    const value = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : undefined;
    if (value && (ts.isArrayLiteralExpression(value) || ts.isNewExpression(value))) continue;
    if (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) names.push(p.name.text);
  }
  return names.length > 0 ? { names, node: add.node } : undefined;
}

// ---------------------------------------------------------------------------------------------

/** Reports for the writes of a file that run in an at-least-once context (`contextOf`). */
function writeReports(analysis: FileAnalysis, contextOf: (node: ts.Node) => ContextEvidence | undefined, include: (node: ts.Node) => boolean): CodeReport[] {
  const candidates: { node: ts.Node; build: (c: ContextEvidence) => CodeReport | CodeReport[] | undefined }[] = [];
  for (const call of analysis.sdkCalls) {
    if (!include(call.node)) continue;
    if (call.service === 's3' && call.operation === 'PutObject') {
      candidates.push({ node: call.node, build: (c) => objectReport(analysis, call.node, call.calledName, call.input, c) });
      continue;
    }
    if (call.service !== 'dynamodb') continue;
    if (call.operation === 'UpdateItem') candidates.push({ node: call.node, build: (c) => updateReport(analysis, call, c) });
    else if (call.operation === 'PutItem') candidates.push({ node: call.node, build: (c) => putReport(analysis, call, c) });
    else if (call.operation === 'TransactWriteItems') candidates.push({ node: call.node, build: (c) => transactionReports(analysis, call, c) });
  }
  if (analysis.modules.has('@aws-sdk/lib-storage')) {
    for (const n of analysis.news) {
      const params = include(n) ? uploadParams(analysis, n) : undefined;
      if (params) candidates.push({ node: n, build: (c) => objectReport(analysis, n, 'Upload', params, c) });
    }
  }
  if (analysis.modules.has('stripe')) {
    for (const call of analysis.calls) {
      const resource = include(call) ? stripeCreate(analysis, call) : undefined;
      if (resource) candidates.push({ node: call, build: (c) => stripeReport(analysis, call, resource, c) });
    }
  }
  if ([...REDIS_MODULES].some((m) => analysis.modules.has(m)) && !hasRedisClaim(analysis)) {
    for (const call of analysis.calls) {
      const command = include(call) ? redisIncrement(analysis, call) : undefined;
      if (command) {
        candidates.push({
          node: call,
          build: (c) => ({ node: call, message: `Redis \`${command}\` adds to a stored number ${where(c)}: ${redelivery(c)} adds to it again` }),
        });
      }
    }
  }
  if (analysis.modules.has('dynamodb-onetable')) {
    for (const call of analysis.calls) {
      const added = include(call) ? oneTableIncrement(analysis, call) : undefined;
      if (!added) continue;
      const label = calleeLabel(call);
      const what = added.names.map((n) => `\`${n}\``).join(', ');
      candidates.push({
        node: call,
        build: (c) => ({ node: added.node, message: `\`${label}\` adds to ${what} (OneTable \`add\`) ${where(c)} without a \`where\` condition: ${redelivery(c)} adds to ${added.names.length > 1 ? 'them' : 'it'} again` }),
      });
    }
  }
  for (const w of searchWritesOf(analysis)) {
    if (!include(w.op.call)) continue;
    const label = calleeLabel(w.op.call);
    candidates.push({ node: w.op.call, build: (c) => ({ node: w.op.call, message: `\`${label}\` ${w.effect} ${where(c)}: ${redelivery(c)} writes again; ${w.fix}` }) });
  }
  const reports: CodeReport[] = [];
  for (const cand of candidates) {
    const c = contextOf(cand.node);
    const context = c?.context === 'at-least-once' ? c : undefined;
    if (!context) continue;
    const r = cand.build(context);
    if (Array.isArray(r)) reports.push(...r);
    else if (r) reports.push(r);
  }
  return reports;
}

const detector: CodeDetector<RequireIdempotentConsumerOptions> = {
  // DynamoDB writes are recognised by SDK import, Stripe by its package (here or in the helpers a
  // handler file reaches)
  prefilter: /aws-sdk|stripe|redis|elastic|opensearch|onetable/,
  followsImports: true,
  code({ analysis, options }) {
    const guards = options.guardFunctions ?? [];
    // a guard in the handler file covers the helpers it calls
    if (hasGuard(analysis, guards)) return [];
    const reports = writeReports(analysis, (node) => (enclosingFunction(node) ? analysis.contexts.contextAt(node) : undefined), () => true);
    for (const file of reachedFiles(analysis)) {
      if (hasGuard(file.facts, guards)) continue;
      for (const r of writeReports(file.facts, (node) => reachedAt(file, node)?.context, (node) => reachedAt(file, node) !== undefined)) {
        const from = reachedAt(file, r.node)?.from;
        reports.push(from ? { ...r, related: [...(r.related ?? []), { node: from, label: 'reached from this call of the handler' }] } : r);
      }
      reports.push(...passedItemReports(analysis, file));
    }
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
