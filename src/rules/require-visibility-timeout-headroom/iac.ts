import type { IacReport, IacDetector } from '../rule.js';
import { displayName, eventSourceMappings, hasOpaqueProperties, isAbsent, resourceLookup } from '../../iac/resources.js';
import { functionTimeout, isFunction, literalNumber, seconds } from '../../iac/lambda.js';

/** SQS's default visibility timeout (seconds). */
const SQS_DEFAULT_VISIBILITY_TIMEOUT = 30;
/** Lambda's guidance: at least six times the function timeout. */
const HEADROOM = 6;

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    // the queue, the function and the mapping may be declared in different files of a Terraform module
    const lookup = resourceLookup(templates);
    const seen = new Set<string>();
    for (const template of templates) {
      for (const mapping of eventSourceMappings(template)) {
        if (mapping.kind !== 'sqs') continue;
        const source = lookup(template, mapping.sourceId ?? mapping.referenced.source);
        const target = lookup(template, mapping.functionId ?? mapping.referenced.function);
        if (!source || !target) continue;
        const queue = source.resource;
        const fn = target.resource;
        if (queue.type !== 'AWS::SQS::Queue' || !isFunction(fn) || hasOpaqueProperties(source.template, queue)) continue;
        const pair = `${source.template.file}\u0000${queue.id}\u0000${target.template.file}\u0000${fn.id}`;
        if (seen.has(pair)) continue;
        seen.add(pair);
        const declared = queue.properties['VisibilityTimeout'];
        const visibility = isAbsent(declared) ? SQS_DEFAULT_VISIBILITY_TIMEOUT : literalNumber(declared);
        const timeout = functionTimeout(target.template, fn);
        if (visibility === undefined || !timeout) continue;
        if (visibility >= HEADROOM * timeout.seconds) continue;
        const below = visibility < timeout.seconds;
        const vt = isAbsent(declared) ? `the default visibility timeout of ${seconds(visibility)}` : `VisibilityTimeout ${seconds(visibility)}`;
        const ft = `${timeout.isDefault ? 'default ' : ''}timeout ${seconds(timeout.seconds)}`;
        const message = below
          ? `SQS queue \`${displayName(queue)}\` has ${vt}, below the ${ft} of its consumer \`${displayName(fn)}\`: Lambda rejects the mapping, and a message would reappear while still being processed`
          : `SQS queue \`${displayName(queue)}\` has ${vt}, less than 6 × the ${ft} of its consumer \`${displayName(fn)}\` (${seconds(HEADROOM * timeout.seconds)}): a message can reappear while a retried or throttled batch is still being processed, and is handled twice`;
        reports.push({
          template: source.template,
          path: [...queue.path, 'Properties', 'VisibilityTimeout'],
          message,
          severity: below ? 'error' : 'warning',
          related: [{ template: target.template, path: timeout.isDefault ? fn.path : timeout.path, label: `consumer function \`${displayName(fn)}\`` }],
        });
      }
    }
    return reports;
  },
};

export default detector;
