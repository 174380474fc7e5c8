import type { KafkaConfig } from '../../config/schema.js';
import type { Kafka } from '../../kafka/client.js';
import type { ConsumedMessage, Message } from '../../kafka/message.js';
import { readPartitionToEnd } from '../../kafka/read-partition.js';
import { readAll } from '../../kafka/read-topic.js';
import type { AfterIngest } from './after-ingest-config.js';
import type { WorkItem } from './work-item.js';

/**
 * How far one version of an S3 object (bucket, key, etag — and the re-ingest run, if any) has been
 * emitted. The progress record that covers a chunk commits in the chunk's transaction.
 */
export interface ObjectProgress {
  kind: 'object';
  bucket: string;
  key: string;
  etag: string;
  logType: string;
  reingestId?: string;
  /** number of the next record to emit (records before it are in Kafka) */
  nextRecord: number;
  done: boolean;
  /** set when the object could not be read; `done` is then true and a DLQ record says why */
  failed?: { code: string; message: string };
  /**
   * the route's after-ingest action of an object read to its end, as configured when it finished:
   * `pending` until it is taken (the work record stays unconsumed meanwhile, so a crash redelivers
   * it), then `done` with what it found, or `failed` (a DLQ record says why)
   */
  afterIngest?: AfterIngest & { state: 'pending' | 'done' | 'failed'; outcome?: string };
  updatedAt: string;
}

/** Where a polled location's listing stands; written by the lister, in its own transactions. */
export interface ListingState {
  kind: 'listing';
  bucket: string;
  prefix: string;
  /** greatest key listed so far */
  watermark: string | null;
  /** watermark after each recent pass; the look-back floor is read from these */
  marks: Array<{ at: number; key: string | null }>;
  updatedAt: string;
}

export type SourceState = ObjectProgress | ListingState;

/** Progress of one object version; a changed etag is a new object, a re-ingest a new run. */
export function progressKey(p: { bucket: string; key: string; etag: string; reingestId?: string | undefined }): string {
  return `object/${p.bucket}/${p.key}@${p.etag}${p.reingestId ? `#${p.reingestId}` : ''}`;
}

export function listingKey(bucket: string, prefix: string): string {
  return `listing/${bucket}/${prefix}`;
}

export function stateMessage(state: SourceState): Message {
  const key = state.kind === 'object' ? progressKey(state) : listingKey(state.bucket, state.prefix);
  return { key, value: JSON.stringify(state) };
}

/** The committed progress of a work item (its version of the object, in its re-ingest run if any). */
export function progressOf(state: Map<string, SourceState>, item: WorkItem): ObjectProgress | undefined {
  const own = state.get(progressKey(item));
  return own?.kind === 'object' ? own : undefined;
}

/**
 * The latest committed state per key, from the compacted source-offsets topic. Call it after the
 * producers that write those keys were initialised: that aborts a previous owner's open
 * transaction first, so what is read here is final.
 */
export async function loadSourceState(kafka: Kafka, topic: string): Promise<Map<string, SourceState>> {
  const state = new Map<string, SourceState>();
  for (const { message } of await readAll(kafka, topic, { timeoutMs: 300_000, throughOpenTransactions: true })) {
    if (message.key === null) continue;
    const key = message.key.toString();
    if (message.value === null) {
      state.delete(key);
      continue;
    }
    const parsed = JSON.parse(message.value.toString()) as SourceState;
    const known = state.get(key);
    // a listing state has copies in every partition (lister.ts): the newest wins, whatever the read order
    if (parsed.kind === 'listing' && known?.kind === 'listing' && known.updatedAt > parsed.updatedAt) continue;
    state.set(key, parsed);
  }
  return state;
}

/** What one partition of the progress topic holds: its objects' progress, and the lister's copies of the listing states. */
export interface PartitionState {
  objects: Map<string, ObjectProgress>;
  listings: Map<string, ListingState>;
  /** the offset the read reached: `refreshListings` reads on from here */
  readTo: bigint;
}

/**
 * The committed progress of the objects of one work partition: an object's progress records are
 * written to the progress topic's partition of the same number (the work consumer restores only
 * the partitions it was assigned). The lister also copies each location's listing state into every
 * partition (progress-retention.ts reads the look-back floor from it).
 */
export async function loadPartitionState(config: KafkaConfig, topic: string, partition: number): Promise<PartitionState> {
  const state: PartitionState = { objects: new Map(), listings: new Map(), readTo: 0n };
  await readPartitionToEnd(config, topic, partition, (message) => apply(state, message, true));
  return state;
}

/**
 * Reads a restored partition on from where the last read stopped, for the listing states only:
 * its objects' progress is written by its owner alone, which keeps `objects` current itself.
 */
export async function refreshListings(config: KafkaConfig, topic: string, partition: number, state: PartitionState): Promise<void> {
  await readPartitionToEnd(config, topic, partition, (message) => apply(state, message, false), { from: state.readTo });
}

function apply(state: PartitionState, message: ConsumedMessage, withObjects: boolean): void {
  state.readTo = BigInt(message.offset) + 1n;
  if (message.key === null) return;
  const key = message.key.toString();
  if (message.value === null) {
    if (withObjects) state.objects.delete(key);
    state.listings.delete(key);
    return;
  }
  const parsed = JSON.parse(message.value.toString()) as SourceState;
  if (parsed.kind === 'listing') state.listings.set(key, parsed);
  else if (withObjects) state.objects.set(key, parsed);
}
