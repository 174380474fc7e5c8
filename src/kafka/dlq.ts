import { errorCodeOf, errorMessage, SiemStreamError } from '../errors.js';
import { correlationId } from '../observability/correlation.js';
import type { Logger } from '../observability/logger.js';
import { dlqRecords } from '../observability/metrics.js';
import { readHeaders } from './headers.js';
import type { BatchSender, ConsumedMessage, Message } from './message.js';

/** What a stage knows about the record it rejects. */
export interface RejectedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A consumed message with where it came from, as stages and the DLQ writer see it. */
export function rejectedRecord(topic: string, partition: number, message: ConsumedMessage): RejectedRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key,
    value: message.value,
    headers: readHeaders(message.headers),
  };
}

export const DLQ_HEADER = {
  stage: 'siem.dlq.stage',
  errorCode: 'siem.dlq.error.code',
  errorClass: 'siem.dlq.error.class',
  errorMessage: 'siem.dlq.error.message',
  topic: 'siem.dlq.original.topic',
  partition: 'siem.dlq.original.partition',
  offset: 'siem.dlq.original.offset',
  timestamp: 'siem.dlq.original.timestamp',
  attempts: 'siem.dlq.attempts',
  failedAt: 'siem.dlq.failed.at',
} as const;

/**
 * A dead-letter record keeps the original bytes, key and headers and adds the context a
 * person needs to understand and redrive it (the idea of Kafka Connect's KIP-298 headers).
 */
export function dlqMessage(record: RejectedRecord, error: unknown, stage: string, attempts = 1): Message {
  const code = errorCodeOf(error);
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADER.stage]: stage,
      [DLQ_HEADER.errorCode]: code,
      [DLQ_HEADER.errorClass]: error instanceof Error ? error.name : typeof error,
      [DLQ_HEADER.errorMessage]: errorMessage(error).slice(0, 4_000),
      [DLQ_HEADER.topic]: record.topic,
      [DLQ_HEADER.partition]: String(record.partition),
      [DLQ_HEADER.offset]: record.offset,
      [DLQ_HEADER.timestamp]: record.timestamp,
      [DLQ_HEADER.attempts]: String(attempts),
      [DLQ_HEADER.failedAt]: new Date().toISOString(),
    },
  };
}

/**
 * The dead letter of one record, for a transaction to carry or for sendDeadLetters: built and
 * logged here (one line, no stack: the record itself carries the context), counted once written.
 */
export function deadLetter(
  topic: string,
  record: RejectedRecord,
  error: unknown,
  stage: string,
  logger: Logger,
  attempts = 1,
): Message & { topic: string } {
  logger.warn(
    {
      dlq: topic,
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      correlationId: correlationId(record.headers),
      code: errorCodeOf(error),
      reason: errorMessage(error),
    },
    'record rejected to the DLQ',
  );
  return { topic, ...dlqMessage(record, error, stage, attempts) };
}

/** Counts the dead letters this stage wrote among records that were just committed or acknowledged. */
export function countDeadLetters(records: Array<{ headers?: Message['headers'] }>, stage: string): void {
  for (const { headers } of records) {
    if (headers?.[DLQ_HEADER.stage] !== stage) continue;
    dlqRecords.inc({ stage, error_code: String(headers[DLQ_HEADER.errorCode]) });
  }
}

/**
 * Dead letters outside a transaction (a sink, the SQS receiver): acknowledged by every in-sync
 * replica, or the stage stops with DLQ_UNWRITABLE — a record is never skipped.
 */
export async function sendDeadLetters(producer: BatchSender, letters: Array<Message & { topic: string }>, stage: string): Promise<void> {
  if (letters.length === 0) return;
  const byTopic = new Map<string, Message[]>();
  for (const { topic, ...message } of letters) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
  try {
    // acks=all: every producer that writes dead letters is created idempotent
    await producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  } catch (cause) {
    throw new SiemStreamError('DLQ_UNWRITABLE', `${[...byTopic.keys()].join(', ')}: ${errorMessage(cause)}`, { stage, cause });
  }
  countDeadLetters(letters, stage);
}
