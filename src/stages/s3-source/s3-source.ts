import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { SiemStreamError } from '../../errors.js';
import { PRODUCER_DEFAULTS } from '../../kafka/client-factory.js';
import { classifyKafkaError } from '../../kafka/kafka-errors.js';
import type { Logger } from '../../observability/logger.js';
import { batchDuration, recordsOut, transactions } from '../../observability/metrics.js';
import { RAW_HEADER, rawRecordKey } from '../../schemas/raw-record.js';
import { compileRoutes } from './key-routes.js';
import { loadProgress, type ObjectProgress, progressMessage } from './progress-store.js';
import { readLineRecords } from './record-reader.js';

const STAGE = 's3-source';

export interface S3SourceStats {
  objectsCompleted: number;
  recordsEmitted: number;
  objectsSkipped: number;
}

interface S3ObjectRef {
  key: string;
  etag: string;
  logType: string;
}

/**
 * Polls a bucket prefix and emits each object's records to `raw.<logtype>`. Every chunk of
 * records commits in one Kafka transaction with the progress record that covers it, so a
 * restart resumes at the next record and a finished object is never emitted twice.
 */
export class S3Source {
  readonly stats: S3SourceStats = { objectsCompleted: 0, recordsEmitted: 0, objectsSkipped: 0 };
  private readonly names;
  private readonly routeOf;
  private producer: Producer | undefined;
  private progress = new Map<string, ObjectProgress>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly topology: Topology,
    private readonly kafka: Kafka,
    private readonly s3: S3Client,
    private readonly logger: Logger,
  ) {
    this.names = topicNames(topology);
    this.routeOf = compileRoutes(topology.source.s3.routes);
  }

  async start(): Promise<void> {
    const config = this.topology.source.s3;
    this.producer = this.kafka.producer({
      ...PRODUCER_DEFAULTS,
      transactionalId: config.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await this.producer.connect();
    // Initialising the transactional id fences an older instance and aborts its open transaction
    // before we read progress, so the progress we resume from is final.
    await (await this.producer.transaction()).abort();
    this.progress = await loadProgress(this.kafka, this.names.sourceOffsets);
    this.logger.info({ objects: this.progress.size }, 'source progress restored');
    this.running = true;
    this.loop = this.pollForever();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer?.disconnect();
  }

  /** Resolves once a full listing found nothing left to emit. */
  async pollOnce(): Promise<number> {
    let emitted = 0;
    for await (const object of this.listPending()) {
      if (!this.running) break;
      emitted += await this.ingestObject(object);
    }
    return emitted;
  }

  private async pollForever(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.logger.error({ err: error }, 'poll failed; retrying after the interval');
        if (error instanceof SiemStreamError && !error.retriable) throw error;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.topology.source.s3.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async *listPending(): AsyncGenerator<S3ObjectRef> {
    const { bucket, prefix } = this.topology.source.s3;
    let token: string | undefined;
    do {
      const page = await this.s3
        .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))
        .catch((cause: unknown) => {
          throw new SiemStreamError('SOURCE_UNAVAILABLE', `listing s3://${bucket}/${prefix} failed`, { stage: STAGE, cause });
        });
      for (const item of page.Contents ?? []) {
        if (!item.Key || item.Key.endsWith('/')) continue;
        const logType = this.routeOf(item.Key);
        const etag = (item.ETag ?? '').replaceAll('"', '');
        const done = this.progress.get(rawRecordKey(bucket, item.Key));
        if (!logType || (done?.done && done.etag === etag)) {
          if (!logType) this.stats.objectsSkipped++;
          continue;
        }
        yield { key: item.Key, etag, logType };
      }
      token = page.NextContinuationToken;
    } while (token);
  }

  private async ingestObject(object: S3ObjectRef): Promise<number> {
    const { bucket, chunkRecords } = this.topology.source.s3;
    const previous = this.progress.get(rawRecordKey(bucket, object.key));
    const resumeAt = previous && previous.etag === object.etag ? previous.nextRecord : 0;
    const response = await this.s3
      .send(new GetObjectCommand({ Bucket: bucket, Key: object.key, IfMatch: `"${object.etag}"` }))
      .catch((cause: unknown) => {
        throw new SiemStreamError('SOURCE_UNAVAILABLE', `reading s3://${bucket}/${object.key} failed`, { stage: STAGE, cause });
      });
    const log = this.logger.child({ bucket, key: object.key, etag: object.etag, resumeAt });
    log.info('object started');
    let recordNumber = 0;
    let chunk: Message[] = [];
    for await (const line of readLineRecords(response.Body as Readable)) {
      if (recordNumber >= resumeAt) chunk.push(this.rawMessage(object, recordNumber, line));
      recordNumber++;
      if (chunk.length >= chunkRecords) {
        await this.commit(object, chunk, recordNumber, false);
        chunk = [];
      }
      if (!this.running) return recordNumber - resumeAt;
    }
    await this.commit(object, chunk, recordNumber, true);
    this.stats.objectsCompleted++;
    log.info({ records: recordNumber }, 'object completed');
    return recordNumber - resumeAt;
  }

  private rawMessage(object: S3ObjectRef, recordNumber: number, value: Buffer): Message {
    const { bucket } = this.topology.source.s3;
    return {
      key: rawRecordKey(bucket, object.key),
      value,
      headers: {
        [RAW_HEADER.logType]: object.logType,
        [RAW_HEADER.bucket]: bucket,
        [RAW_HEADER.key]: object.key,
        [RAW_HEADER.etag]: object.etag,
        [RAW_HEADER.recordNumber]: String(recordNumber),
      },
    };
  }

  private async commit(object: S3ObjectRef, chunk: Message[], nextRecord: number, done: boolean): Promise<void> {
    const producer = this.producer as Producer;
    const progress: ObjectProgress = {
      bucket: this.topology.source.s3.bucket,
      key: object.key,
      etag: object.etag,
      logType: object.logType,
      nextRecord,
      done,
      updatedAt: new Date().toISOString(),
    };
    const timer = batchDuration.startTimer({ stage: STAGE });
    const rawTopic = this.names.raw(object.logType);
    const transaction = await producer.transaction();
    try {
      const topicMessages = [{ topic: this.names.sourceOffsets, messages: [progressMessage(progress)] }];
      if (chunk.length > 0) topicMessages.unshift({ topic: rawTopic, messages: chunk });
      await transaction.sendBatch({ topicMessages });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      transactions.inc({ stage: STAGE, result: 'abort' });
      throw classifyKafkaError(error, STAGE);
    }
    timer();
    transactions.inc({ stage: STAGE, result: 'commit' });
    recordsOut.inc({ stage: STAGE, destination: rawTopic }, chunk.length);
    this.stats.recordsEmitted += chunk.length;
    this.progress.set(rawRecordKey(progress.bucket, progress.key), progress);
  }
}
