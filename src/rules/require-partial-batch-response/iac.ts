import type { IacReport, IacDetector } from '../rule.js';
import { eventSourceMappings, lacksReportBatchItemFailures, type EsmKind } from '../../iac/resources.js';
import { literalNumber } from '../../iac/lambda.js';

/** Sources that support partial batch responses, and what one item of their batch is. */
const KINDS: Partial<Record<EsmKind, { label: string; item: string }>> = {
  sqs: { label: 'SQS', item: 'message' },
  kinesis: { label: 'Kinesis', item: 'record' },
  dynamodb: { label: 'DynamoDB Streams', item: 'record' },
};

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    for (const template of templates) {
      for (const mapping of eventSourceMappings(template)) {
        const kind = mapping.kind ? KINDS[mapping.kind] : undefined;
        if (!kind) continue;
        const p = mapping.properties;
        if (!lacksReportBatchItemFailures(p['FunctionResponseTypes'], template)) continue;
        // A batch of one item has nothing else to retry with it.
        if (literalNumber(p['BatchSize']) === 1) continue;
        reports.push({
          template,
          path: [...mapping.propertiesPath, 'FunctionResponseTypes'],
          message: `${kind.label} ${mapping.label} does not report partial batch failures (ReportBatchItemFailures missing from FunctionResponseTypes): one failing ${kind.item} makes the whole batch be retried, so every other ${kind.item} in it is processed again`,
        });
      }
    }
    return reports;
  },
};

export default detector;
