import type { S3Handler } from 'aws-lambda';

export const handler: S3Handler = async (event) => {
  for (const record of event.Records) console.log('rendering invoice', record.s3.object.key);
};
