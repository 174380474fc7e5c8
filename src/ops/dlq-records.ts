import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import { SiemStreamError } from '../errors.js';
import type { Kafka } from '../kafka/client.js';
import { DLQ_HEADER } from '../kafka/dlq.js';
import { readHeaders, type StringHeaders } from '../kafka/headers.js';
import type { ConsumedMessage } from '../kafka/message.js';
import { connectAdmin } from '../kafka/rdkafka.js';
import { correlationId } from '../observability/correlation.js';
import { scanTopic } from './scan-topic.js';

/** One dead-letter record with where it sits and what its headers say about its failure. */
export interface DlqEntry {
  dlqTopic: string;
  partition: number;
  offset: string;
  /** `dlqTopic/partition/offset`: the record's identity for redrive bookkeeping */
  id: string;
  stage: string;
  errorCode: string;
  errorClass: string;
  errorMessage: string;
  originalTopic: string;
  originalPartition: string;
  originalOffset: string;
  failedAt: string;
  /** follows the record from S3 to the sink (see observability/correlation.ts) */
  correlationId: string | undefined;
  key: Buffer | null;
  value: Buffer | null;
  headers: StringHeaders;
}

export interface DlqFilter {
  stages?: string[] | undefined;
  errorCodes?: string[] | undefined;
  /** explicit records, as `dlqTopic/partition/offset` ids */
  ids?: string[] | undefined;
}

/** The dead-letter topic of every stage and sink of the topology, by stage name. */
export function dlqTopics(topology: Topology): Map<string, string> {
  const names = topicNames(topology);
  const stages = ['s3-source', 'parser', 'enricher', ...topology.sinks.map((s) => s.name)];
  return new Map(stages.map((s) => [s, names.dlq(s)]));
}

export const dlqEntryId = (topic: string, partition: number, offset: string) => `${topic}/${partition}/${offset}`;

/**
 * Streams the (committed) dead-letter records of the chosen stages that pass the filter through
 * `visit` (return false to stop), holding one record at a time.
 */
export async function scanDlq(
  kafka: Kafka,
  topology: Topology,
  filter: DlqFilter,
  visit: (entry: DlqEntry) => boolean | undefined,
): Promise<void> {
  const topics = dlqTopics(topology);
  const unknown = (filter.stages ?? []).filter((s) => !topics.has(s));
  if (unknown.length > 0)
    throw new SiemStreamError(
      'CONFIG_INVALID',
      `no dead-letter topic for ${unknown.join(', ')}; stages with one: ${[...topics.keys()].join(', ')}`,
    );
  const admin = await connectAdmin(kafka);
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  let stopped = false;
  for (const [stage, topic] of topics) {
    if (stopped) return;
    if (filter.stages && filter.stages.length > 0 && !filter.stages.includes(stage)) continue;
    if (!existing.has(topic)) continue;
    await scanTopic(kafka, topic, (partition, message) => {
      const entry = dlqEntry(topic, stage, partition, message);
      if (filter.errorCodes && filter.errorCodes.length > 0 && !filter.errorCodes.includes(entry.errorCode)) return true;
      if (filter.ids && filter.ids.length > 0 && !filter.ids.includes(entry.id)) return true;
      if (visit(entry) === false) stopped = true;
      return !stopped;
    });
  }
}

/** The first `limit` matching dead-letter records, in DLQ order per partition. */
export async function readDlq(
  kafka: Kafka,
  topology: Topology,
  filter: DlqFilter = {},
  limit = Number.POSITIVE_INFINITY,
): Promise<DlqEntry[]> {
  const entries: DlqEntry[] = [];
  if (limit <= 0) return entries;
  await scanDlq(kafka, topology, filter, (e) => {
    entries.push(e);
    return entries.length < limit;
  });
  return entries.sort(byPosition);
}

export const byPosition = (a: DlqEntry, b: DlqEntry) =>
  a.dlqTopic.localeCompare(b.dlqTopic) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset));

function dlqEntry(topic: string, stage: string, partition: number, message: ConsumedMessage): DlqEntry {
  const headers = readHeaders(message.headers);
  return {
    dlqTopic: topic,
    partition,
    offset: message.offset,
    id: dlqEntryId(topic, partition, message.offset),
    stage: headers[DLQ_HEADER.stage] ?? stage,
    errorCode: headers[DLQ_HEADER.errorCode] ?? 'UNKNOWN',
    errorClass: headers[DLQ_HEADER.errorClass] ?? 'UNKNOWN',
    errorMessage: headers[DLQ_HEADER.errorMessage] ?? '',
    originalTopic: headers[DLQ_HEADER.topic] ?? '',
    originalPartition: headers[DLQ_HEADER.partition] ?? '',
    originalOffset: headers[DLQ_HEADER.offset] ?? '',
    failedAt: headers[DLQ_HEADER.failedAt] ?? '',
    correlationId: correlationId(headers),
    key: message.key,
    value: message.value,
    headers,
  };
}

export interface DlqCount {
  stage: string;
  errorCode: string;
  errorClass: string;
  count: number;
}

/** Counts by stage, error code and error class, fed one record at a time. */
export class DlqCounter {
  private readonly counts = new Map<string, DlqCount>();
  total = 0;

  add(e: DlqEntry): void {
    const k = `${e.stage}\u0000${e.errorCode}\u0000${e.errorClass}`;
    const c = this.counts.get(k) ?? { stage: e.stage, errorCode: e.errorCode, errorClass: e.errorClass, count: 0 };
    c.count++;
    this.total++;
    this.counts.set(k, c);
  }

  rows(): DlqCount[] {
    return [...this.counts.values()].sort((a, b) => a.stage.localeCompare(b.stage) || b.count - a.count);
  }
}
