import type { Kafka } from '../../kafka/client.js';
import { connectAdmin, kafkaSettingsOf, RdIsolationLevel } from '../../kafka/rdkafka.js';
import { connectReader, consumedMessage, consumeSome, disconnectReader, type NativeReader } from '../../kafka/read-partition.js';
import type { Logger } from '../../observability/logger.js';
import { FatalSignal } from '../../runtime/fatal-signal.js';
import type { SourceState } from './progress-store.js';

/**
 * Follows the progress topic (read_committed) from the moment it starts and tells waiters when an
 * object version is finished (done, or recorded as failed). The SQS receiver uses it to delete a
 * message only after the last records of its objects are committed, by whichever instance read them.
 */
export class ProgressWatcher {
  private readonly waiters = new Map<string, Array<() => void>>();
  private reader: NativeReader | undefined;
  private running = false;
  private following: Promise<void> = Promise.resolve();
  private readonly fatal = new FatalSignal();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** rejects when following the topic failed for good */
  get failed(): Promise<never> {
    return this.fatal.failed;
  }

  async start(): Promise<void> {
    // everything committed after start() began is seen: each partition is read from its end offset now
    const admin = await connectAdmin(this.kafka);
    let ends: Array<{ partition: number; high: string }>;
    try {
      ends = await admin.fetchTopicOffsets(this.topic, { isolationLevel: RdIsolationLevel.READ_UNCOMMITTED });
    } finally {
      await admin.disconnect();
    }
    const reader = await connectReader(kafkaSettingsOf(this.kafka), { readUncommitted: false, eof: false });
    this.reader = reader;
    reader.assign(ends.map(({ partition, high }) => ({ topic: this.topic, partition, offset: Number(high) })));
    this.running = true;
    this.following = this.follow(reader).catch((error: unknown) => {
      this.logger.error({ err: error, topic: this.topic }, 'following the progress topic failed');
      this.fatal.fail(error);
    });
  }

  private async follow(reader: NativeReader): Promise<void> {
    while (this.running) {
      for (const raw of await consumeSome(reader, 1_000)) {
        const message = consumedMessage(raw);
        if (message.key === null || message.value === null) continue;
        const waiting = this.waiters.get(message.key.toString());
        if (!waiting) continue;
        const state = JSON.parse(message.value.toString()) as SourceState;
        if (state.kind !== 'object' || !state.done) continue;
        this.waiters.delete(message.key.toString());
        for (const resolve of waiting) resolve();
      }
    }
  }

  /** Resolves when the object version with this progress key is finished. Register before enqueuing it. */
  waitFor(progressKey: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.waiters.get(progressKey) ?? [];
      list.push(resolve);
      this.waiters.set(progressKey, list);
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.following;
    if (this.reader) await disconnectReader(this.reader);
  }
}
