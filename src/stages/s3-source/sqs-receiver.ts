import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
  type Message as SqsMessage,
} from '@aws-sdk/client-sqs';
import { topologyCompression } from '../../config/compression.js';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { SiemStreamError } from '../../errors.js';
import type { Kafka, Message, Producer } from '../../kafka/client.js';
import { PRODUCER_DEFAULTS } from '../../kafka/client-factory.js';
import { deadLetter, sendDeadLetters } from '../../kafka/dlq.js';
import type { Logger } from '../../observability/logger.js';
import { sleep } from '../../util/backoff.js';
import type { SqsConfig } from './config.js';
import type { KeyRouter } from './key-routes.js';
import { progressKey } from './progress-store.js';
import type { ProgressWatcher } from './progress-watcher.js';
import { withS3Retries } from './s3-retry.js';
import { sqsInFlight, sqsMessages } from './source-metrics.js';
import { parseNotification } from './sqs-notification.js';
import { bareEtag, type WorkItem, workMessage } from './work-item.js';

const STAGE = 's3-source';
const MAX_IN_FLIGHT = 100;

interface InFlight {
  receiptHandle: string;
  receivedAt: number;
}

export interface SqsStats {
  received: number;
  deleted: number;
  /** message ids received more than once by this instance (must stay empty while it is alive) */
  receivedAgain: string[];
}

/**
 * SQS discovery. Every instance receives; each received message's objects go onto the work topic,
 * and the message stays invisible — its visibility extended every `heartbeatSeconds` — until the
 * progress topic shows each of its objects finished (completed, or recorded as failed with a DLQ
 * record). Only then is it deleted. A message that is not a notification is sent to the DLQ first.
 */
export class SqsReceiver {
  readonly stats: SqsStats = { received: 0, deleted: 0, receivedAgain: [] };
  private readonly config: SqsConfig;
  private readonly names;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly seen = new Set<string>();
  private producer: Producer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly kafka: Kafka,
    private readonly s3: S3Client,
    private readonly sqs: SQSClient,
    private readonly watcher: ProgressWatcher,
    private readonly route: KeyRouter,
    private readonly logger: Logger,
  ) {
    this.config = topology.source.s3.sqs as SqsConfig;
    this.names = topicNames(topology);
  }

  /** Settles when the loop ends; rejects if it ended with an error. */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  async start(): Promise<void> {
    this.producer = this.kafka.producer({
      ...PRODUCER_DEFAULTS,
      'compression.type': topologyCompression(this.topology.topics)(this.names.sourceWork),
    });
    await this.producer.connect();
    this.running = true;
    this.heartbeat = setInterval(() => void this.extendVisibility(), this.config.heartbeatSeconds * 1_000);
    this.loop = this.receiveForever();
    this.logger.info({ queueUrl: this.config.queueUrl }, 'SQS receiver started');
  }

  /** Settles when the receive loop ends: resolves after stop(), rejects if the loop threw. */
  get finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    clearInterval(this.heartbeat);
    await this.producer?.disconnect();
  }

  private async receiveForever(): Promise<void> {
    while (this.running) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        await sleep(200);
        continue;
      }
      try {
        const answer = await this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.config.queueUrl,
            MaxNumberOfMessages: this.config.maxMessages,
            WaitTimeSeconds: this.config.waitTimeSeconds,
            VisibilityTimeout: this.config.visibilityTimeoutSeconds,
          }),
        );
        for (const message of answer.Messages ?? []) await this.handle(message);
      } catch (error) {
        this.logger.error({ err: error }, 'receiving from SQS failed; retrying');
        await sleep(1_000);
      }
    }
  }

  private async handle(message: SqsMessage): Promise<void> {
    const id = message.MessageId ?? '';
    const receiptHandle = message.ReceiptHandle ?? '';
    this.stats.received++;
    if (this.seen.has(id)) this.stats.receivedAgain.push(id);
    this.seen.add(id);
    const notification = parseNotification(message.Body);
    if (notification.kind === 'test-event') {
      sqsMessages.inc({ result: 'test-event' });
      return this.delete(id, receiptHandle);
    }
    if (notification.kind === 'unparseable') {
      const error = new SiemStreamError('RECORD_UNPARSEABLE', `SQS message ${id} is not an S3 notification: ${notification.reason}`, {
        stage: STAGE,
      });
      const rejected = {
        topic: this.config.queueUrl,
        partition: -1,
        offset: id,
        timestamp: String(Date.now()),
        key: Buffer.from(id),
        value: Buffer.from(message.Body ?? ''),
        headers: {},
      };
      // the raw body is the context; no compression setting applies to a DLQ write of one record
      await sendDeadLetters(this.producer as Producer, [deadLetter(this.names.dlq(STAGE), rejected, error, STAGE, this.logger)], STAGE);
      sqsMessages.inc({ result: 'unparseable' });
      return this.delete(id, receiptHandle);
    }
    const items: WorkItem[] = [];
    for (const object of notification.objects) {
      const route = this.route(object.key);
      if (!route) continue;
      const etag =
        object.etag ??
        bareEtag(
          (
            await withS3Retries(`head s3://${object.bucket}/${object.key}`, this.topology.source.s3.retry, this.logger, () =>
              this.s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key })),
            )
          ).ETag,
        );
      items.push({
        bucket: object.bucket,
        key: object.key,
        etag,
        logType: route.logType,
        framing: route.framing,
        ...(object.size !== undefined ? { size: object.size } : {}),
        via: 'sqs',
        discoveredAt: new Date().toISOString(),
      });
    }
    if (items.length === 0) {
      sqsMessages.inc({ result: 'ignored' });
      return this.delete(id, receiptHandle);
    }
    this.inFlight.set(id, { receiptHandle, receivedAt: Date.now() });
    sqsInFlight.set(this.inFlight.size);
    const finished = Promise.all(items.map((item) => this.watcher.waitFor(progressKey(item))));
    try {
      await this.send(
        this.names.sourceWork,
        items.map((item) => workMessage(item, this.topology.source.s3.order)),
      );
    } catch (error) {
      // not deleted and no longer extended: it becomes visible again and is handled anew
      this.inFlight.delete(id);
      throw error;
    }
    this.logger.debug({ messageId: id, objects: items.length }, 'SQS message objects enqueued');
    void finished.then(() => this.delete(id, receiptHandle));
  }

  private async send(topic: string, messages: Message[]): Promise<void> {
    await (this.producer as Producer).send({ topic, messages });
  }

  private async delete(id: string, receiptHandle: string): Promise<void> {
    try {
      await withS3Retries(`deleting SQS message ${id}`, this.topology.source.s3.retry, this.logger, () =>
        this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.config.queueUrl, ReceiptHandle: receiptHandle })),
      );
      this.stats.deleted++;
      sqsMessages.inc({ result: 'deleted' });
    } catch (error) {
      // it becomes visible again; its objects are finished, so the next receiver deletes it at once
      this.logger.error({ err: error, messageId: id }, 'deleting the SQS message failed');
    } finally {
      this.inFlight.delete(id);
      sqsInFlight.set(this.inFlight.size);
    }
  }

  private async extendVisibility(): Promise<void> {
    for (const [id, message] of this.inFlight) {
      await this.sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: this.config.queueUrl,
            ReceiptHandle: message.receiptHandle,
            VisibilityTimeout: this.config.visibilityTimeoutSeconds,
          }),
        )
        .catch((error: unknown) => this.logger.warn({ err: error, messageId: id }, 'extending visibility failed'));
    }
  }
}
