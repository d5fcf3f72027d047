import type { SNSEvent } from 'aws-lambda';

export const handler = async (event: SNSEvent): Promise<void> => {
  for (const record of event.Records) console.log('notifying', record.Sns.MessageId);
};
