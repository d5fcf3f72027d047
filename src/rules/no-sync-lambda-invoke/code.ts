import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { CodeReport, CodeDetector } from '../rule.js';
import { enclosingFunction, isFunctionLike, unwrap, walk } from '../../code/walk.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { describeTarget, insertPropertySuggestion } from '../../code/report-helpers.js';

const detector: CodeDetector = {
  // every way to name a Lambda client spells the service
  prefilter: /lambda/i,
  code({ analysis }) {
    const reports: CodeReport[] = [];
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

export default detector;

