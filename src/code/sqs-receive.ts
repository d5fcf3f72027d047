/**
 * The messages of one SQS `ReceiveMessage` response. The API returns at most ten messages per
 * call (`MaxNumberOfMessages` accepts 1 to 10), so work started once per message is bounded the
 * way a handler's `event.Records` is. Recognised: `response.Messages` (also `?? []` / `|| []`),
 * `const { Messages } = await sqs.send(new ReceiveMessageCommand(...))`, v2
 * `sqs.receiveMessage(params).promise()` and v3 aggregated `sqs.receiveMessage(params)`, and a
 * helper of the same or another module of the project whose every `return` gives such messages
 * (`await queue.receiveMessages(url)`).
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { sdkCallsOf } from './aws-sdk.js';
import { calleeAcross } from './modules.js';
import { resolveLocalFunction } from './remote-calls.js';
import { returnedExpressions, step, unwrap } from './walk.js';

const MAX_DEPTH = 6;

/** True when `expr` holds the `Messages` of one `ReceiveMessage` response. */
export function isReceivedMessages(facts: FileFacts, expr: ts.Expression, depth = 0): boolean {
  step();
  if (depth > MAX_DEPTH) return false;
  const e = withoutAwait(withoutFallback(unwrap(expr)));
  if (ts.isIdentifier(e)) {
    const from = facts.declaredFrom(e);
    if (!from || from.reassigned) return false;
    if (from.pick.length === 0) return isReceivedMessages(facts, from.value, depth + 1);
    return from.pick.length === 1 && from.pick[0] === 'Messages' && isReceiveResponse(facts, from.value, depth + 1);
  }
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'Messages') return isReceiveResponse(facts, e.expression, depth + 1);
  if (ts.isCallExpression(e)) {
    const local = resolveLocalFunction(facts, e.expression);
    const target = local ? { facts, fn: local } : calleeAcross(facts, e.expression);
    if (!target) return false;
    const returned = returnedExpressions(target.fn);
    return returned.length > 0 && returned.every((r) => isReceivedMessages(target.facts, r, depth + 1));
  }
  return false;
}

/** `x ?? []`, `x || []`: an empty fallback adds nothing. */
function withoutFallback(e: ts.Expression): ts.Expression {
  if (!ts.isBinaryExpression(e)) return e;
  const op = e.operatorToken.kind;
  if (op !== ts.SyntaxKind.QuestionQuestionToken && op !== ts.SyntaxKind.BarBarToken) return e;
  const right = unwrap(e.right);
  return ts.isArrayLiteralExpression(right) && right.elements.length === 0 ? unwrap(e.left) : e;
}

function withoutAwait(e: ts.Expression): ts.Expression {
  return ts.isAwaitExpression(e) ? unwrap(e.expression) : e;
}

/** A `ReceiveMessage` response: the awaited call, or a variable holding it. */
function isReceiveResponse(facts: FileFacts, expr: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = withoutAwait(unwrap(expr));
  if (ts.isIdentifier(e)) {
    const from = facts.declaredFrom(e);
    return !!from && !from.reassigned && from.pick.length === 0 && isReceiveResponse(facts, from.value, depth + 1);
  }
  if (!ts.isCallExpression(e)) return false;
  let call: ts.CallExpression = e;
  // v2: `sqs.receiveMessage(params).promise()`
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'promise') {
    const inner = unwrap(callee.expression);
    if (ts.isCallExpression(inner)) call = inner;
  }
  const commands = call.arguments.map((a) => facts.resolveValue(a));
  return sdkCallsOf(facts).some(
    (c) => c.service === 'sqs' && c.operation === 'ReceiveMessage' && (c.node === call || (ts.isNewExpression(c.node) && commands.includes(c.node))),
  );
}
