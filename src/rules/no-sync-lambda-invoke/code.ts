import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { CodeReport, CodeDetector } from '../rule.js';
import { enclosingFunction, isFunctionLike, unwrap, walk } from '../../code/walk.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { describeTarget, insertPropertySuggestion } from '../../code/report-helpers.js';
import { sdkCallsOf, type SdkCall } from '../../code/aws-sdk.js';
import type { FileFacts } from '../../code/file-facts.js';
import { calleeLabel, innermostRemote, remoteCallInfo } from '../../code/remote-calls.js';
import { propertyAtCalls } from '../../code/passed-values.js';
import { shownLocation } from '../../code/modules.js';

const detector: CodeDetector = {
  // every way to name a Lambda client spells the service; a request handed to a helper names its function
  prefilter: /lambda|FunctionName/i,
  code({ analysis }) {
    const reports: CodeReport[] = passedRequestReports(analysis);
    for (const call of analysis.sdkCalls) {
      if (call.service !== 'lambda') continue;
      const target = describeTarget(analysis, call.input, 'FunctionName');
      if (call.operation === 'InvokeWithResponseStream') {
        reports.push({
          node: call.node,
          message: `${call.calledName} waits for ${target} to stream its whole response (the caller is synchronously coupled to it)`,
        });
        continue;
      }
      // InvokeAsync (deprecated) is asynchronous; other Lambda operations are control-plane calls
      if (call.operation !== 'Invoke') continue;
      const type = getProperty(analysis, call.input, 'InvocationType');
      if (type.kind === 'unknown') continue;
      if (type.kind === 'present') {
        const shape = stringShape(analysis, type.value);
        if (shape?.exact !== 'RequestResponse') {
          // `params.InvocationType || 'RequestResponse'`: synchronous unless the caller says otherwise
          const fallback = syncFallback(analysis, type.value);
          if (fallback) {
            reports.push({
              node: type.node,
              message: `${call.calledName} with InvocationType defaulting to 'RequestResponse' (\`${fallback.getText().replace(/\s+/g, ' ')}\`) waits for ${target} to finish whenever the caller passes none (the caller is synchronously coupled to it)`,
            });
          }
          continue;
        }
        reports.push({
          node: type.node,
          message: `${call.calledName} with InvocationType 'RequestResponse' waits for ${target} to finish (the caller is synchronously coupled to it)`,
          suggestions: [
            {
              description: "Invoke asynchronously: InvocationType: 'Event'",
              edits: [{ start: type.value.getStart(), end: type.value.getEnd(), text: "'Event'" }],
            },
          ],
        });
        continue;
      }
      const obj = objectLiteralOf(analysis, call.input);
      reports.push({
        node: call.node,
        message: `${call.calledName} without InvocationType waits for ${target} to finish (the caller is synchronously coupled to it)`,
        suggestions: obj && obj.getSourceFile() === call.node.getSourceFile() ? [insertPropertySuggestion(obj, "InvocationType: 'Event'", "Invoke asynchronously: add InvocationType: 'Event'")] : undefined,
      });
    }
    return reports;
  },
};

const SYNC = 'RequestResponse';

/**
 * A value that falls back to 'RequestResponse' when the caller gives none: `x || 'RequestResponse'`,
 * `x ?? 'RequestResponse'`, or a name declared with that default (`{ InvocationType = 'RequestResponse' }`,
 * `function invoke(name, type = 'RequestResponse')`). Gives the expression that states the fallback.
 */
function syncFallback(analysis: FileAnalysis, expr: ts.Expression, depth = 0): ts.Node | undefined {
  if (depth > 4) return undefined;
  const e = unwrap(expr);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
    return stringShape(analysis, e.right)?.exact === SYNC ? e : undefined;
  }
  if (!ts.isIdentifier(e)) return undefined;
  const value = analysis.resolveValue(e);
  if (value !== e) return syncFallback(analysis, value, depth + 1);
  const declared = defaultOf(e);
  return declared && stringShape(analysis, declared.initializer)?.exact === SYNC ? declared.node : undefined;
}

/** The default a parameter or destructured name `id` was declared with, in the functions around it. */
function defaultOf(id: ts.Identifier): { node: ts.Node; initializer: ts.Expression } | undefined {
  const inBinding = (name: ts.BindingName, node: ts.Node, initializer: ts.Expression | undefined): { node: ts.Node; initializer: ts.Expression } | undefined => {
    if (ts.isIdentifier(name)) return name.text === id.text && initializer ? { node, initializer } : undefined;
    for (const el of name.elements) {
      if (!ts.isBindingElement(el)) continue;
      const found = inBinding(el.name, el, el.initializer);
      if (found) return found;
    }
    return undefined;
  };
  for (let fn = enclosingFunction(id); fn; fn = enclosingFunction(fn)) {
    for (const p of fn.parameters) {
      const found = inBinding(p.name, p, p.initializer);
      if (found) return found;
    }
    let found: { node: ts.Node; initializer: ts.Expression } | undefined;
    if (fn.body) {
      walk(fn.body, (n) => {
        if (found || isFunctionLike(n)) return false;
        if (ts.isVariableDeclaration(n) && !ts.isIdentifier(n.name) && n.pos < id.pos) found = inBinding(n.name, n, undefined);
        return undefined;
      });
    }
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// requests built by the caller of a helper that sends them

/**
 * `gateway.invoke({ FunctionName, InvocationType: 'RequestResponse' })` where `invoke(request)`,
 * in this file or another module, sends `new InvokeCommand(request)`: the helper's own call has
 * an unknown InvocationType, and each call of this file that hands it a request is judged by what
 * that request holds, where it is built. Only calls handing over an object with a `FunctionName`
 * are looked into; a request the caller itself receives from its own caller is left alone.
 */
function passedRequestReports(analysis: FileAnalysis): CodeReport[] {
  const helpers = new Map<ts.Node, { call: SdkCall; facts: FileFacts }>();
  for (const c of analysis.calls) {
    if (!c.arguments.some((a) => !ts.isSpreadElement(a) && getProperty(analysis, a, 'FunctionName').kind === 'present')) continue;
    const remote = remoteCallInfo(analysis, c);
    if (remote?.kind !== 'local') continue;
    const inner = innermostRemote(remote);
    if (inner.kind !== 'aws' || helpers.has(inner.call)) continue;
    const sf = inner.call.getSourceFile();
    const facts = sf === analysis.sourceFile ? analysis : analysis.host?.facts(sf.fileName);
    if (!facts) continue;
    const sdk = sdkCallsOf(facts).find((x) => x.service === 'lambda' && x.operation === 'Invoke' && x.node.pos >= inner.call.pos && x.node.end <= inner.call.end);
    if (sdk?.input && getProperty(facts, sdk.input, 'InvocationType').kind === 'unknown') helpers.set(inner.call, { call: sdk, facts });
  }
  const reports: CodeReport[] = [];
  const seen = new Set<ts.Node>();
  for (const { call, facts } of helpers.values()) {
    for (const p of propertyAtCalls(facts, call.input!, 'InvocationType', analysis, { partial: true }) ?? []) {
      if (p.argument.getSourceFile() !== analysis.sourceFile || seen.has(p.argument)) continue;
      seen.add(p.argument);
      const last = p.calls[p.calls.length - 1];
      // outermost first: `a(...)` hands this request to `b(...)`, which sends it
      const labels = p.calls.map((c) => `\`${c.label ?? calleeLabel(c.call)}\``).reverse();
      const handed = labels.length > 1 ? `${labels.slice(0, -1).join(' then ')} hands this request to ${labels[labels.length - 1]}, which sends it` : `${labels[0]} sends this request`;
      const where = `${call.calledName} in ${shownLocation(last.call, call.node)}`;
      const target = describeTarget(analysis, p.argument, 'FunctionName');
      if (p.lookup.kind === 'absent') {
        const obj = objectLiteralOf(analysis, p.argument);
        reports.push({
          node: p.argument,
          message: `${handed} without InvocationType (${where}): it waits for ${target} to finish (the caller is synchronously coupled to it)`,
          suggestions: obj && obj.getSourceFile() === analysis.sourceFile ? [insertPropertySuggestion(obj, "InvocationType: 'Event'", "Invoke asynchronously: add InvocationType: 'Event'")] : undefined,
          related: [{ node: call.node, label: 'sent here' }],
        });
        continue;
      }
      // a request object of another module: its value is that module's to read
      if (p.lookup.kind !== 'present' || p.lookup.node.getSourceFile() !== analysis.sourceFile) continue;
      if (stringShape(analysis, p.lookup.value)?.exact !== SYNC) continue;
      reports.push({
        node: p.lookup.node,
        message: `${handed} with InvocationType 'RequestResponse' (${where}): it waits for ${target} to finish (the caller is synchronously coupled to it)`,
        suggestions: [{ description: "Invoke asynchronously: InvocationType: 'Event'", edits: [{ start: p.lookup.value.getStart(), end: p.lookup.value.getEnd(), text: "'Event'" }] }],
        related: [{ node: call.node, label: 'sent here' }],
      });
    }
  }
  return reports;
}

export default detector;

