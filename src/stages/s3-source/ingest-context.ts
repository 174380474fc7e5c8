import type { S3Client } from '@aws-sdk/client-s3';
import type { TopicNames } from '../../config/topics.js';
import type { ConsumedMessage } from '../../kafka/message.js';
import type { TransactionalProducer } from '../../kafka/transaction.js';
import type { Logger } from '../../observability/logger.js';
import type { AfterIngest } from './after-ingest-config.js';
import type { S3SourceConfig } from './config.js';
import type { ObjectProgress } from './progress-store.js';

/** The work record an object came from: its partition and offset are the work consumer's position. */
export interface WorkRecord {
  groupId: string;
  topic: string;
  partition: number;
  message: ConsumedMessage;
}

/** What reading one object needs from the work consumer that hands it over. */
export interface IngestContext {
  s3: S3Client;
  config: S3SourceConfig;
  names: TopicNames;
  logger: Logger;
  /** the process's transactional producer; each chunk's transaction carries the work position (KIP-447 fences a stale member) */
  transactions: TransactionalProducer;
  /** bytes one chunk of this object may take (chunk-limits.ts) */
  chunkLimitBytes: number;
  work: WorkRecord;
  /** the route's after-ingest action: the last transaction records it pending and leaves the work record unconsumed */
  afterIngest?: AfterIngest | undefined;
  /** after each committed transaction, with the progress it recorded and the records it emitted */
  onCommitted(progress: ObjectProgress, emitted: number): void;
  /** between chunks: gauges, and a chance to notice the partition was revoked */
  keepAlive(): Promise<void>;
  isActive(): boolean;
}

/** The work position a transaction commits: the work record itself while its object is being read, one past it once done. */
export function workPosition(work: WorkRecord, done: boolean) {
  const offset = BigInt(work.message.offset);
  return {
    groupId: work.groupId,
    topic: work.topic,
    partition: work.partition,
    nextOffset: (done ? offset + 1n : offset).toString(),
  };
}
