import type { IacReport, IacDetector } from '../rule.js';
import type { IacValue } from '../../iac/model.js';
import { displayName, hasOpaqueProperties, isAbsent, isPlainObject, resourcesOfType } from '../../iac/resources.js';
import { samFunctionEvents } from '../../iac/sam.js';

/** Protocols SNS can keep undeliverable messages for in a subscription DLQ, with how long it retries. */
const PROTOCOLS: Record<string, string> = {
  lambda: 'retries for up to 23 days',
  sqs: 'retries for up to 23 days',
  firehose: 'retries for up to 6 hours',
  http: 'retries per its delivery policy (3 times by default)',
  https: 'retries per its delivery policy (3 times by default)',
};

function protocolOf(value: IacValue | undefined): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    for (const template of templates) {
      for (const subscription of resourcesOfType(template, 'AWS::SNS::Subscription')) {
        if (hasOpaqueProperties(template, subscription)) continue;
        const protocol = protocolOf(subscription.properties['Protocol']);
        if (!protocol || !PROTOCOLS[protocol]) continue;
        if (!isAbsent(subscription.properties['RedrivePolicy'])) continue;
        reports.push({
          template,
          path: [...subscription.path, 'Properties', 'RedrivePolicy'],
          message: `SNS subscription \`${displayName(subscription)}\` (${protocol}) has no RedrivePolicy: SNS ${PROTOCOLS[protocol]} and then, or at once on a client-side error such as a missing permission, discards the message`,
        });
      }
      for (const topic of resourcesOfType(template, 'AWS::SNS::Topic')) {
        const inline = topic.properties['Subscription'];
        if (!Array.isArray(inline)) continue;
        inline.forEach((entry, index) => {
          if (!isPlainObject(entry)) return;
          const protocol = protocolOf(entry['Protocol']);
          if (!protocol || !PROTOCOLS[protocol]) return;
          reports.push({
            template,
            path: [...topic.path, 'Properties', 'Subscription', index],
            message: `Inline ${protocol} subscription of SNS topic \`${displayName(topic)}\` cannot have a RedrivePolicy: a message SNS fails to deliver is discarded; declare it as an AWS::SNS::Subscription with a dead-letter queue`,
          });
        });
      }
      for (const event of samFunctionEvents(template)) {
        if (event.type !== 'SNS' || !event.properties) continue;
        if (!isAbsent(event.properties['RedrivePolicy'])) continue;
        const fn = template.resources.get(event.functionId)!;
        const viaQueue = event.properties['SqsSubscription'];
        const protocol = viaQueue !== undefined && viaQueue !== false && viaQueue !== 'false' ? 'sqs' : 'lambda';
        reports.push({
          template,
          path: [...event.path, 'Properties', 'RedrivePolicy'],
          message: `SNS event \`${event.eventId}\` of function \`${displayName(fn)}\` has no RedrivePolicy: SNS ${PROTOCOLS[protocol]} and then, or at once on a client-side error such as a missing permission, discards the message`,
        });
      }
    }
    return reports;
  },
};

export default detector;
