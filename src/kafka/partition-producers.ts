import type { Admin, Kafka, Producer, ProducerConfig } from './client.js';
import { PRODUCER_DEFAULTS } from './client-factory.js';

/**
 * One transactional producer per assigned input partition, with a transactional id bound to
 * that partition. kafkajs has no KIP-447 (it cannot send the group generation with its offsets),
 * so this is how a zombie is fenced: whoever owns a partition next calls InitProducerId with the
 * same id, which bumps the epoch and aborts the zombie's open transaction. See docs/exactly-once.md.
 */
export class PartitionProducers {
  private readonly producers = new Map<string, Promise<Producer>>();
  /** producers whose member was checked to be at (or past) the committed offset after InitProducerId */
  private readonly verified = new Set<string>();
  /** where this member's own committed transactions end, per partition it still owns */
  private readonly committedEnds = new Map<string, bigint>();
  private admin: Promise<Admin> | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly transactionalIdPrefix: string,
    private readonly transactionTimeoutMs = 60_000,
    /** extra producer settings of one stage (the S3 source tunes retries) */
    private readonly producerConfig: ProducerConfig = {},
  ) {}

  static transactionalId(prefix: string, topic: string, partition: number): string {
    return `${prefix}-${topic}-${partition}`;
  }

  get(topic: string, partition: number): Promise<Producer> {
    const id = PartitionProducers.transactionalId(this.transactionalIdPrefix, topic, partition);
    let producer = this.producers.get(id);
    if (!producer) {
      producer = this.connect(id);
      this.producers.set(id, producer);
      producer.catch(() => this.producers.delete(id));
    }
    return producer;
  }

  isVerified(topic: string, partition: number): boolean {
    return this.verified.has(PartitionProducers.transactionalId(this.transactionalIdPrefix, topic, partition));
  }

  markVerified(topic: string, partition: number): void {
    this.verified.add(PartitionProducers.transactionalId(this.transactionalIdPrefix, topic, partition));
  }

  /** After a successful commit: the next offset this member's transactions have not covered. */
  markCommitted(topic: string, partition: number, end: bigint): void {
    this.committedEnds.set(PartitionProducers.transactionalId(this.transactionalIdPrefix, topic, partition), end);
  }

  /** The end of what this member itself committed on a partition it kept owning, if anything. */
  committedEnd(topic: string, partition: number): bigint | undefined {
    return this.committedEnds.get(PartitionProducers.transactionalId(this.transactionalIdPrefix, topic, partition));
  }

  /** The group's committed offset of a partition, or undefined when it has none. */
  async committedOffset(groupId: string, topic: string, partition: number): Promise<bigint | undefined> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => {
        this.admin = undefined;
      });
    }
    const client = await this.admin;
    const [offsets] = await client.fetchOffsets({ groupId, topics: [topic] });
    const offset = offsets?.partitions.find((p) => p.partition === partition)?.offset;
    return offset === undefined || offset === '-1' ? undefined : BigInt(offset);
  }

  /** Drop (and disconnect) a producer after it was fenced or failed; the next get() re-initialises. */
  async discard(topic: string, partition: number): Promise<void> {
    const id = PartitionProducers.transactionalId(this.transactionalIdPrefix, topic, partition);
    const producer = this.producers.get(id);
    this.producers.delete(id);
    this.verified.delete(id);
    this.committedEnds.delete(id);
    await producer?.then((p) => p.disconnect()).catch(() => undefined);
  }

  /** Close producers of partitions this member no longer owns. */
  async retain(assigned: Array<{ topic: string; partition: number }>): Promise<void> {
    const keep = new Set(assigned.map((a) => PartitionProducers.transactionalId(this.transactionalIdPrefix, a.topic, a.partition)));
    const gone = [...this.producers.keys()].filter((id) => !keep.has(id));
    await Promise.all(
      gone.map(async (id) => {
        const producer = this.producers.get(id);
        this.producers.delete(id);
        this.verified.delete(id);
        this.committedEnds.delete(id);
        await producer?.then((p) => p.disconnect()).catch(() => undefined);
      }),
    );
  }

  async closeAll(): Promise<void> {
    await this.retain([]);
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }

  private async connect(transactionalId: string): Promise<Producer> {
    const producer = this.kafka.producer({
      ...PRODUCER_DEFAULTS,
      ...this.producerConfig,
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.transactionTimeoutMs,
    });
    await producer.connect();
    return producer;
  }
}
