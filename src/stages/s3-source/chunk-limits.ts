import type { Topology } from '../../config/schema.js';
import { type TopicNames, topicNames } from '../../config/topics.js';
import { topicBatchLimits } from '../../kafka/topic-limits.js';
import type { Logger } from '../../observability/logger.js';

/**
 * How many bytes one chunk of an object may take: a chunk writes the log type's raw topic, the
 * source's DLQ and the progress topic in one transaction, so it stays under the smallest
 * `max.message.bytes` of the three (read from the broker at start, and again when the broker
 * refuses a batch), and under `maxChunkBytes` when that is set lower.
 */
export class ChunkLimits {
  private limits = new Map<string, number>();
  private readonly names: TopicNames;

  constructor(
    private readonly topology: Topology,
    private readonly logger: Logger,
  ) {
    this.names = topicNames(topology);
  }

  /** Reads the topics' limits from the broker. */
  async refresh(): Promise<void> {
    const config = this.topology.source.s3;
    const raw = [...new Set(config.routes.map((r) => this.names.raw(r.logType)))];
    const limits = await topicBatchLimits(this.topology.kafka, [...raw, this.names.dlq('s3-source'), this.names.sourceOffsets]);
    this.limits = limits;
    const smallest = Math.min(...limits.values());
    if (config.maxChunkBytes !== undefined && config.maxChunkBytes > smallest) {
      this.logger.warn(
        { maxChunkBytes: config.maxChunkBytes, topicLimits: Object.fromEntries(limits) },
        'source.s3.maxChunkBytes is above a destination topic max.message.bytes; chunks are bounded by the topic',
      );
    }
    this.logger.info(
      { topicLimits: Object.fromEntries(limits), maxChunkBytes: config.maxChunkBytes },
      'chunk byte limits read from the broker',
    );
  }

  /** The byte limit of a chunk of one log type's object. */
  forLogType(logType: string): number {
    const topics = [this.names.raw(logType), this.names.dlq('s3-source'), this.names.sourceOffsets];
    const limit = Math.min(...topics.map((t) => this.limits.get(t) ?? Number.POSITIVE_INFINITY));
    const bound = Math.min(limit, this.topology.source.s3.maxChunkBytes ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(bound)) throw new Error(`no max.message.bytes known for the topics of log type "${logType}"`);
    return bound;
  }
}
