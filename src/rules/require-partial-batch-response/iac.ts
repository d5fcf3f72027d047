import type { IacReport, IacDetector } from '../rule.js';
import { eventSourceMappings, lacksReportBatchItemFailures, type EsmKind } from '../../iac/resources.js';
import { literalNumber } from '../../iac/lambda.js';
import { projectOf } from '../../context/project.js';
import path from 'node:path';

/** Sources that support partial batch responses, and what one item of their batch is. */
const KINDS: Partial<Record<EsmKind, { label: string; item: string }>> = {
  sqs: { label: 'SQS', item: 'message' },
  kinesis: { label: 'Kinesis', item: 'record' },
  dynamodb: { label: 'DynamoDB Streams', item: 'record' },
};

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    const project = projectOf(templates);
    for (const template of templates) {
      for (const mapping of eventSourceMappings(template)) {
        const kind = mapping.kind ? KINDS[mapping.kind] : undefined;
        if (!kind) continue;
        const p = mapping.properties;
        if (!lacksReportBatchItemFailures(p['FunctionResponseTypes'], template)) continue;
        // a handler that reports failures item by item: Lambda ignores the list, so they are lost
        const responder = mapping.functionId === undefined ? undefined : project?.batchResponder(template, mapping.functionId);
        if (responder !== undefined) {
          const handler = path.relative(path.dirname(template.file), responder).split(path.sep).join('/');
          reports.push({
            template,
            path: [...mapping.propertiesPath, 'FunctionResponseTypes'],
            severity: 'error',
            message: `${kind.label} ${mapping.label} does not report partial batch failures (ReportBatchItemFailures missing from FunctionResponseTypes), but its handler \`${handler}\` returns batchItemFailures: Lambda ignores that list without it and treats the batch as processed, so the ${kind.item}s the handler reports as failed are ${kind.item === 'message' ? 'deleted' : 'skipped'} and never retried`,
          });
          continue;
        }
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
