import type { SNSHandler } from 'aws-lambda';

export const handler: SNSHandler = async (event) => {
  for (const record of event.Records) console.log('notify', record.Sns.MessageId);
};
