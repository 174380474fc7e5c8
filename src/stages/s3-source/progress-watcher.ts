import { randomUUID } from 'node:crypto';
import { topicOffsets } from '../../kafka/admin.js';
import type { Consumer, Kafka } from '../../kafka/client.js';
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
  private consumer: Consumer | undefined;
  private readonly groupId = `siem-s3-progress-watch-${randomUUID()}`;
  private readonly fatal = new FatalSignal();

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** rejects when the watching consumer stopped for good (a crash kafkajs does not restart) */
  get failed(): Promise<never> {
    return this.fatal.failed;
  }

  async start(): Promise<void> {
    const startOffsets = await this.endOffsets();
    const consumer = this.kafka.consumer({ groupId: this.groupId, readUncommitted: false, allowAutoTopicCreation: false });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.fatal.fail(payload.error);
    });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: [this.topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        if (message.key === null || message.value === null) return;
        const waiting = this.waiters.get(message.key.toString());
        if (!waiting) return;
        const state = JSON.parse(message.value.toString()) as SourceState;
        if (state.kind !== 'object' || !state.done) return;
        this.waiters.delete(message.key.toString());
        for (const resolve of waiting) resolve();
      },
    });
    await joined;
    // everything committed after start() began is seen, even what landed before the group was joined
    for (const { partition, offset } of startOffsets) consumer.seek({ topic: this.topic, partition, offset });
  }

  /** Retried: right after the topic was created a broker may still answer "not the leader". */
  private async endOffsets(): Promise<Array<{ partition: number; offset: string }>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await topicOffsets(admin, this.topic);
    } finally {
      await admin.disconnect();
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
    await this.consumer?.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin
      .deleteGroups([this.groupId])
      .catch((error: unknown) => this.logger.debug({ err: error }, 'deleting the watch group failed'));
    await admin.disconnect();
  }
}
