import avro from 'avsc';
import type { Kafka } from '../../kafka/client.js';
import { DLQ_HEADER } from '../../kafka/dlq.js';
import { readHeaders } from '../../kafka/headers.js';
import { fetchGroupOffsets } from '../../kafka/protocol/index.js';
import { kafkaSettingsOf } from '../../kafka/rdkafka.js';
import { scanTopic } from '../../ops/scan-topic.js';
import { loadSchema, type SchemaName } from '../../schemas/catalog.js';
import { RAW_HEADER } from '../../schemas/raw-record.js';
import { emulatorGet } from '../emulator-stats.js';

/**
 * Counts every record of the corpus wherever it is, by its position (object, record number):
 * one byte per position and place, so a million-record run needs a few MB, not a map of strings.
 */
export class PositionCounts {
  readonly counts: Uint8Array;
  total = 0;
  /** records that do not belong to the corpus (should stay 0) */
  foreign = 0;

  constructor(readonly size: number) {
    this.counts = new Uint8Array(size);
  }

  add(position: number | undefined): number {
    this.total++;
    if (position === undefined || position < 0 || position >= this.size) {
      this.foreign++;
      return 0;
    }
    const c = this.counts[position] as number;
    if (c < 255) this.counts[position] = c + 1;
    return c + 1;
  }

  get distinct(): number {
    let n = 0;
    for (const c of this.counts) if (c > 0) n++;
    return n;
  }

  get duplicates(): number {
    return this.total - this.foreign - this.distinct;
  }
}

export interface Corpus {
  bucket: string;
  /** object key → index */
  objectIndex: Map<string, number>;
  recordsPerObject: number;
  valid: number;
  malformed: number;
}

export const positionOf = (corpus: Corpus, key: unknown, recordNumber: unknown): number | undefined => {
  const object = corpus.objectIndex.get(String(key));
  const n = Number(recordNumber);
  if (object === undefined || !Number.isInteger(n) || n < 0 || n >= corpus.recordsPerObject) return undefined;
  return object * corpus.recordsPerObject + n;
};

/**
 * A group's committed offsets, and how many records a read_committed reader finds at or after
 * them: its true lag. (end − committed is 1 on an idle transactional topic: the commit marker.)
 */
export class CommittedProbe {
  pending = 0;
  constructor(private readonly committed: Map<string, bigint>) {}

  static async of(kafka: Kafka, groupId: string, topics: string[]): Promise<CommittedProbe> {
    // not librdkafka's fetchOffsets, which crashes the process on NOT_COORDINATOR: see fetchGroupOffsets
    const offsets = await fetchGroupOffsets(kafkaSettingsOf(kafka), groupId, topics);
    return new CommittedProbe(
      new Map(offsets.flatMap((t) => t.partitions.map((p) => [`${t.topic}#${p.partition}`, p.offset < 0n ? 0n : p.offset] as const))),
    );
  }

  see(topic: string, partition: number, offset: string): void {
    if (BigInt(offset) >= (this.committed.get(`${topic}#${partition}`) ?? 0n)) this.pending++;
  }
}

const size = (corpus: Corpus) => corpus.objectIndex.size * corpus.recordsPerObject;

/** Raw records (and the parser DLQ, which keeps the raw headers): position from the S3 headers. */
export async function countByHeaders(
  kafka: Kafka,
  topics: string[],
  corpus: Corpus,
  options: { byClass?: Map<string, number>; probe?: CommittedProbe } = {},
): Promise<PositionCounts> {
  const { byClass, probe } = options;
  const counts = new PositionCounts(size(corpus));
  for (const topic of topics) {
    await scanTopic(
      kafka,
      topic,
      (partition, message) => {
        probe?.see(topic, partition, message.offset);
        const headers = readHeaders(message.headers);
        counts.add(positionOf(corpus, headers[RAW_HEADER.key], headers[RAW_HEADER.recordNumber]));
        if (byClass) {
          const code = headers[DLQ_HEADER.errorCode] ?? 'unknown';
          byClass.set(code, (byClass.get(code) ?? 0) + 1);
        }
        return undefined;
      },
      600_000,
    );
  }
  return counts;
}

/** Avro events (Confluent framing: magic byte, schema id, body): position from SourceKey/SourceRecordNumber. */
export async function countEvents(
  kafka: Kafka,
  topic: string,
  schema: SchemaName,
  corpus: Corpus,
  probe?: CommittedProbe,
): Promise<PositionCounts> {
  const type = avro.Type.forSchema(loadSchema(schema) as avro.Schema);
  const counts = new PositionCounts(size(corpus));
  await scanTopic(
    kafka,
    topic,
    (partition, message) => {
      probe?.see(topic, partition, message.offset);
      const event = message.value ? (type.fromBuffer(message.value.subarray(5)) as Record<string, unknown>) : {};
      counts.add(positionOf(corpus, event.SourceKey, event.SourceRecordNumber));
      return undefined;
    },
    600_000,
  );
  return counts;
}

export interface DestinationCounts extends PositionCounts {
  /** duplicates whose EventId differs from the first copy's: not a redelivery the SIEM can dedupe */
  duplicatesWithNewEventId: number;
}

/** What the Logs Ingestion emulator holds for the corpus's bucket, read page by page. */
export async function countAtEmulator(emulator: { url: string; caFile: string }, corpus: Corpus): Promise<DestinationCounts> {
  const counts = Object.assign(new PositionCounts(size(corpus)), { duplicatesWithNewEventId: 0 });
  const firstEventId = new Uint32Array(size(corpus));
  const page = 20_000;
  for (let offset = 0; ; offset += page) {
    const { records } = await emulatorGet<{ records: Array<{ record: Record<string, unknown> }> }>(
      emulator.url,
      emulator.caFile,
      `/_emulator/records?offset=${offset}&limit=${page}`,
    );
    for (const { record } of records) {
      if (record.SourceBucket !== corpus.bucket) continue;
      const position = positionOf(corpus, record.SourceKey, record.SourceRecordNumber);
      const seen = counts.add(position);
      if (position === undefined) continue;
      const id = hash32(String(record.EventId));
      if (seen === 1) firstEventId[position] = id;
      else if (firstEventId[position] !== id) counts.duplicatesWithNewEventId++;
    }
    if (records.length < page) return counts;
  }
}

/** FNV-1a: enough to tell two EventIds apart without keeping a million strings. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Positions of the corpus found in none of these places: lost. */
export function absent(...places: PositionCounts[]): number {
  const size = places[0]?.size ?? 0;
  let n = 0;
  for (let i = 0; i < size; i++) if (places.every((c) => c.counts[i] === 0)) n++;
  return n;
}

/** Positions present in more than one of these (a record both emitted and dead-lettered). */
export function overlap(a: PositionCounts, b: PositionCounts): number {
  let n = 0;
  for (let i = 0; i < a.size; i++) if ((a.counts[i] as number) > 0 && (b.counts[i] as number) > 0) n++;
  return n;
}
