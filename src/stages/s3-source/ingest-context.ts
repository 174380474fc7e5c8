import type { S3Client } from '@aws-sdk/client-s3';
import type { CompressionOf } from '../../config/compression.js';
import type { TopicNames } from '../../config/topics.js';
import type { KafkaMessage, Producer } from '../../kafka/client.js';
import type { Logger } from '../../observability/logger.js';
import type { S3SourceConfig } from './config.js';
import type { ObjectProgress } from './progress-store.js';

/** What reading one object needs from the work consumer that hands it over. */
export interface IngestContext {
  s3: S3Client;
  config: S3SourceConfig;
  names: TopicNames;
  logger: Logger;
  producer: Producer;
  /** bytes one chunk of this object may take (chunk-limits.ts) */
  chunkLimitBytes: number;
  /** the codec each destination topic is written with */
  compressionOf: CompressionOf;
  /** the work record: marked consumed in the transaction that finishes the object */
  work: { groupId: string; topic: string; partition: number; message: KafkaMessage };
  /** after each committed transaction, with the progress it recorded and the records it emitted */
  onCommitted(progress: ObjectProgress, emitted: number): void;
  /** heartbeat to the work group between chunks; throws when the group rebalances */
  keepAlive(): Promise<void>;
  isActive(): boolean;
}
