import type { IacReport, IacDetector } from '../rule.js';
import type { IacValue } from '../../iac/model.js';
import { eventSourceMappings, isAbsent, isPlainObject, type EsmKind } from '../../iac/resources.js';
import { literalNumber } from '../../iac/lambda.js';

/** Sources whose mapping retries a failing batch in order, holding back the shard or partition. */
const STREAM_KINDS: Partial<Record<EsmKind, { label: string; unit: string }>> = {
  kinesis: { label: 'Kinesis', unit: 'shard' },
  dynamodb: { label: 'DynamoDB Streams', unit: 'shard' },
  kafka: { label: 'Kafka', unit: 'partition' },
  stream: { label: 'Stream', unit: 'shard' },
};

/** Absent or -1: no limit. Anything else, including an unknown value, counts as a limit. */
function isUnlimited(value: IacValue | undefined): boolean {
  return isAbsent(value) || value === -1 || value === '-1';
}

/** Known to be off: absent or false. An unknown value is not. */
function isOff(value: IacValue | undefined): boolean {
  return isAbsent(value) || value === false || value === 'false';
}

/** DestinationConfig.OnFailure is missing (an unknown DestinationConfig may well have one). */
function lacksOnFailure(destinationConfig: IacValue | undefined): boolean {
  if (isAbsent(destinationConfig)) return true;
  if (!isPlainObject(destinationConfig)) return false;
  return isAbsent(destinationConfig['OnFailure']);
}

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    for (const template of templates) {
      for (const mapping of eventSourceMappings(template)) {
        const kind = mapping.kind ? STREAM_KINDS[mapping.kind] : undefined;
        if (!kind) continue; // SQS, MQ, DocumentDB or unresolvable: not a stream mapping
        const p = mapping.properties;
        // a batch of one record has nothing to split off
        const noBisect = isOff(p['BisectBatchOnFunctionError']) && literalNumber(p['BatchSize']) !== 1;
        const subject = `${kind.label} ${mapping.label}`;
        if (isUnlimited(p['MaximumRetryAttempts']) && isUnlimited(p['MaximumRecordAgeInSeconds'])) {
          const bisect = noBisect
            ? '; BisectBatchOnFunctionError is not enabled either, so the bad record is never split off from the rest of its batch'
            : '';
          reports.push({
            template,
            path: [...mapping.propertiesPath, 'MaximumRetryAttempts'],
            message: `${subject} retries a failing batch without limit (MaximumRetryAttempts and MaximumRecordAgeInSeconds unset or -1): one poison record blocks the ${kind.unit} until it expires${bisect}`,
          });
        } else if (lacksOnFailure(p['DestinationConfig'])) {
          const bisect = noBisect
            ? '; BisectBatchOnFunctionError is not enabled either, so one bad record makes its whole batch be dropped'
            : '';
          reports.push({
            template,
            path: [...mapping.propertiesPath, 'DestinationConfig', 'OnFailure'],
            message: `${subject} limits retries but has no DestinationConfig.OnFailure: records that exhaust their retries are dropped without trace${bisect}`,
          });
        }
      }
    }
    return reports;
  },
};

export default detector;
