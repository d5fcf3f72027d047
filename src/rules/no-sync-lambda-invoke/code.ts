import type { CodeReport, CodeDetector } from '../rule.js';
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
        if (shape?.exact !== 'RequestResponse') continue;
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

export default detector;

