import type { Kafka } from 'kafkajs';
import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import { SiemStreamError } from '../errors.js';
import { DLQ_HEADER } from '../kafka/dlq.js';
import { readHeaders, type StringHeaders } from '../kafka/headers.js';
import { readAll } from '../kafka/read-topic.js';
import { correlationId } from '../observability/correlation.js';

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
  const stages = ['parser', 'enricher', ...topology.sinks.map((s) => s.name)];
  return new Map(stages.map((s) => [s, names.dlq(s)]));
}

export const dlqEntryId = (topic: string, partition: number, offset: string) => `${topic}/${partition}/${offset}`;

/** Reads the (committed) dead-letter records of the chosen stages, oldest first per partition. */
export async function readDlq(kafka: Kafka, topology: Topology, filter: DlqFilter = {}): Promise<DlqEntry[]> {
  const topics = dlqTopics(topology);
  const unknown = (filter.stages ?? []).filter((s) => !topics.has(s));
  if (unknown.length > 0)
    throw new SiemStreamError(
      'CONFIG_INVALID',
      `no dead-letter topic for ${unknown.join(', ')}; stages with one: ${[...topics.keys()].join(', ')}`,
    );
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const entries: DlqEntry[] = [];
  for (const [stage, topic] of topics) {
    if (filter.stages && filter.stages.length > 0 && !filter.stages.includes(stage)) continue;
    if (!existing.has(topic)) continue;
    for (const { partition, message } of await readAll(kafka, topic)) {
      const headers = readHeaders(message.headers);
      entries.push({
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
      });
    }
  }
  return entries
    .filter((e) => !filter.errorCodes || filter.errorCodes.length === 0 || filter.errorCodes.includes(e.errorCode))
    .filter((e) => !filter.ids || filter.ids.length === 0 || filter.ids.includes(e.id))
    .sort((a, b) => a.dlqTopic.localeCompare(b.dlqTopic) || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export interface DlqCount {
  stage: string;
  errorCode: string;
  errorClass: string;
  count: number;
}

export function countDlq(entries: DlqEntry[]): DlqCount[] {
  const counts = new Map<string, DlqCount>();
  for (const e of entries) {
    const k = `${e.stage}\u0000${e.errorCode}\u0000${e.errorClass}`;
    const c = counts.get(k) ?? { stage: e.stage, errorCode: e.errorCode, errorClass: e.errorClass, count: 0 };
    c.count++;
    counts.set(k, c);
  }
  return [...counts.values()].sort((a, b) => a.stage.localeCompare(b.stage) || b.count - a.count);
}
