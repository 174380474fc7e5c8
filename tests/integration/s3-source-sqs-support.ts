import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { testTopology } from '../support/test-topology.js';
import { createBucket } from './s3-source-support.js';

export const VISIBILITY_SECONDS = 2;

export function s3Event(bucket: string, objects: Array<{ key: string; etag: string; size: number }>): string {
  return JSON.stringify({
    Records: objects.map((o) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket },
        object: { key: encodeURIComponent(o.key).replaceAll('%20', '+').replaceAll('%2F', '/'), size: o.size, eTag: o.etag },
      },
    })),
  });
}

export function snsEnvelope(message: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:s3-events',
    Message: message,
  });
}

/** A queue on the stack's ElasticMQ, and a topology whose source discovers through it. */
export async function sqsSetup(name: string, overrides: Record<string, unknown> = {}) {
  const stack = inject('stack');
  const sqs = new SQSClient({ endpoint: stack.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(VISIBILITY_SECONDS) } }));
  const queueUrl = queue.QueueUrl as string;
  const topology = testTopology({
    source: {
      s3: {
        discovery: 'sqs',
        sqs: {
          queueUrl,
          endpoint: stack.sqsEndpoint,
          waitTimeSeconds: 1,
          visibilityTimeoutSeconds: VISIBILITY_SECONDS,
          heartbeatSeconds: 0.5,
        },
        ...overrides,
      },
    },
  });
  const kafka = createKafka(topology.kafka, 'test');
  await ensureTopics(kafka, topologyTopics(topology));
  const s3 = createS3Client(topology.source.s3);
  await createBucket(s3, topology.source.s3.bucket);
  const putObject = async (key: string, body: string) => {
    const answer = await s3.send(new PutObjectCommand({ Bucket: topology.source.s3.bucket, Key: key, Body: body }));
    return { key, etag: (answer.ETag ?? '').replaceAll('"', ''), size: Buffer.byteLength(body) };
  };
  const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  const queueEmpty = async () => {
    const a = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(a.Attributes?.ApproximateNumberOfMessages) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible) === 0;
  };
  return { topology, kafka, names: topicNames(topology), bucket: topology.source.s3.bucket, putObject, send, queueEmpty };
}
