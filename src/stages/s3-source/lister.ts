import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { topologyCompression } from '../../config/compression.js';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import type { Kafka } from '../../kafka/client.js';
import { kafkaSettingsOf } from '../../kafka/rdkafka.js';
import { topicPartitionIds } from '../../kafka/read-partition.js';
import { createTransactionalProducer, type TransactionalProducerClient } from '../../kafka/transactional-producer.js';
import type { Logger } from '../../observability/logger.js';
import { sleep } from '../../util/backoff.js';
import type { KeyRouter } from './key-routes.js';
import { type ListingState, listingKey, loadSourceState, stateMessage } from './progress-store.js';
import { withS3Retries } from './s3-retry.js';
import { commitSourceTransaction, SOURCE_PRODUCER_CONFIG } from './source-transaction.js';
import { bareEtag, type WorkItem, workMessage } from './work-item.js';

const STAGE = 's3-source';
/** keys remembered per location to avoid enqueuing one object twice inside the look-back window */
const MAX_REMEMBERED = 200_000;
/** how often a location's listing state is copied into every partition of source-offsets (for progress retention) */
const COPY_EVERY_MS = 60_000;

/**
 * Polling discovery. It runs in the instance that owns work partition 0, under its own
 * transactional id (`<transactionalId>-lister`), so exactly one lister is live at a time. Each pass
 * lists a location from its look-back floor (ListObjectsV2 StartAfter) and puts new objects on the
 * work topic in the same transaction as the listing's new watermark.
 */
export class Lister {
  private producer: TransactionalProducerClient | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly states = new Map<string, ListingState>();
  private readonly remembered = new Map<string, Set<string>>();
  private readonly copiedAt = new Map<string, number>();
  private progressPartitions: number[] = [];
  private readonly names;

  constructor(
    private readonly topology: Topology,
    private readonly kafka: Kafka,
    private readonly s3: S3Client,
    private readonly logger: Logger,
    private readonly route: KeyRouter,
  ) {
    this.names = topicNames(topology);
  }

  /** Settles when the polling loop ends: resolves when it stopped (or was fenced), rejects if it threw. */
  get finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  async start(): Promise<void> {
    await this.initialise();
    this.running = true;
    this.loop = this.pollForever();
    this.logger.info({ locations: this.locations() }, 'lister started');
  }

  /**
   * A fresh producer (its InitProducerId fences any other lister and ends an open transaction of
   * this id) and the listing state as committed. Also the way back from a failed transaction: a
   * producer whose transaction failed fatally must be replaced, and this pass's in-memory
   * watermark and remembered keys may be ahead of what was committed.
   */
  private async initialise(): Promise<void> {
    const config = this.topology.source.s3;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    const producer = createTransactionalProducer(this.topology.kafka, {
      clientSuffix: `${STAGE}-lister`,
      transactionalId: `${config.transactionalId}-lister`,
      transactionTimeoutMs: config.transactionTimeoutMs,
      compression: topologyCompression(this.topology.topics)(this.names.sourceWork),
      settings: SOURCE_PRODUCER_CONFIG,
      logger: this.logger,
    });
    await producer.connect();
    // source-offsets has as many partitions as the work topic: progress goes to the work partition's number
    this.progressPartitions = await topicPartitionIds(kafkaSettingsOf(this.kafka), this.names.sourceOffsets);
    this.copiedAt.clear();
    this.states.clear();
    this.remembered.clear();
    for (const state of (await loadSourceState(this.kafka, this.names.sourceOffsets)).values()) {
      if (state.kind === 'listing') this.states.set(listingKey(state.bucket, state.prefix), state);
    }
    this.producer = producer;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await this.loop?.catch(() => undefined);
    await this.producer?.disconnect();
  }

  private locations() {
    const config = this.topology.source.s3;
    return config.locations ?? [{ bucket: config.bucket, prefix: config.prefix }];
  }

  private async pollForever(): Promise<void> {
    while (this.running) {
      for (const location of this.locations()) {
        if (!this.running) break;
        try {
          await this.pass(location.bucket, location.prefix);
        } catch (error) {
          this.logger.error({ err: error, ...location }, 'listing pass failed; trying again at the next interval');
          if ((error as { code?: string }).code === 'KAFKA_FENCED') {
            this.running = false; // another instance's lister took over
            break;
          }
          await this.reinitialise();
        }
      }
      await sleep(this.topology.source.s3.pollIntervalMs, this.abort.signal);
    }
  }

  private async reinitialise(): Promise<void> {
    while (this.running) {
      try {
        await this.initialise();
        this.logger.info('lister re-initialised from its committed state');
        return;
      } catch (error) {
        this.logger.error({ err: error }, 'lister re-initialisation failed; retrying');
        await sleep(this.topology.source.s3.pollIntervalMs, this.abort.signal);
      }
    }
  }

  /** One listing pass over a location, from the look-back floor to the end. */
  async pass(bucket: string, prefix: string): Promise<number> {
    const config = this.topology.source.s3;
    const id = listingKey(bucket, prefix);
    const startedAt = Date.now();
    const state: ListingState = this.states.get(id) ?? { kind: 'listing', bucket, prefix, watermark: null, marks: [], updatedAt: '' };
    const floor = floorOf(state, startedAt - config.lookBackMs);
    const seen = this.remembered.get(id) ?? new Set<string>();
    this.remembered.set(id, seen);
    const since = config.since ? Date.parse(config.since) : undefined;
    let enqueued = 0;
    let token: string | undefined;
    do {
      const page = await withS3Retries(`listing s3://${bucket}/${prefix}`, config.retry, this.logger, () =>
        this.s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(token ? {} : floor ? { StartAfter: floor } : {}),
          }),
        ),
      );
      const items: WorkItem[] = [];
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || key.endsWith('/')) continue;
        if (state.watermark === null || key > state.watermark) state.watermark = key;
        const route = this.route(key);
        if (!route) continue;
        if (since !== undefined && object.LastModified && object.LastModified.getTime() < since) continue;
        const etag = bareEtag(object.ETag);
        const version = `${key}@${etag}`;
        if (seen.has(version)) continue;
        if (seen.size < MAX_REMEMBERED) seen.add(version);
        items.push({
          bucket,
          key,
          etag,
          logType: route.logType,
          framing: route.framing,
          ...(object.Size !== undefined ? { size: object.Size } : {}),
          ...(object.LastModified ? { lastModified: object.LastModified.toISOString() } : {}),
          via: 'poll',
          discoveredAt: new Date().toISOString(),
        });
      }
      state.updatedAt = new Date().toISOString();
      await this.commit(items, state);
      enqueued += items.length;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token && this.running);
    if (token) return enqueued; // stopped mid-pass: the next owner lists again from the floor
    state.marks = pruneMarks([...state.marks, { at: startedAt, key: state.watermark }], Date.now() - config.lookBackMs);
    await this.commit([], state, this.copyDue(id));
    this.states.set(id, state);
    const newFloor = floorOf(state, Date.now() - config.lookBackMs);
    if (newFloor !== null) for (const version of seen) if (version.slice(0, version.lastIndexOf('@')) <= newFloor) seen.delete(version);
    if (enqueued > 0) this.logger.info({ bucket, prefix, enqueued, watermark: state.watermark, floor }, 'listing pass enqueued objects');
    return enqueued;
  }

  /**
   * With `copy`, the state also goes to every partition of source-offsets: the owner of a work
   * partition reads the look-back floor there when it decides which finished objects' progress
   * may expire (progress-retention.ts). A copy is never ahead of the state itself, so a floor read
   * from it is never above the lister's.
   */
  private async commit(items: WorkItem[], state: ListingState, copy = false): Promise<void> {
    const messages = new Map([[this.names.sourceWork, items.map((item) => workMessage(item, this.topology.source.s3.order))]]);
    if (copy) {
      const { key, value } = stateMessage({ ...state });
      messages.set(
        this.names.sourceOffsets,
        this.progressPartitions.map((partition) => ({ key, value, partition })),
      );
    }
    await commitSourceTransaction(this.producer as TransactionalProducerClient, { messages, progress: [{ ...state }] }, this.names, STAGE);
    if (copy) this.copiedAt.set(listingKey(state.bucket, state.prefix), Date.now());
  }

  private copyDue(id: string): boolean {
    return this.topology.source.s3.progressRetention.finishedMs > 0 && Date.now() - (this.copiedAt.get(id) ?? 0) >= COPY_EVERY_MS;
  }
}

/**
 * Where a pass starts: the watermark as it stood `lookBackMs` ago, so a key that appears below
 * the watermark is still found if it appears within the window. Before the first such mark
 * (the first window after the very first pass) a pass lists the location from its start.
 */
export function floorOf(state: ListingState, before: number): string | null {
  let floor: string | null = null;
  for (const mark of state.marks) if (mark.at <= before) floor = mark.key;
  return floor;
}

/** Keep the newest mark at or before the window's start (the floor) and every mark after it. */
export function pruneMarks(marks: ListingState['marks'], before: number): ListingState['marks'] {
  const older = marks.filter((m) => m.at <= before);
  return [...older.slice(-1), ...marks.filter((m) => m.at > before)].slice(-1_000);
}
