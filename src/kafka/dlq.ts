import type { KafkaMessage, Message } from 'kafkajs';
import { errorCodeOf, errorMessage } from '../errors.js';
import { readHeaders } from './headers.js';

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
export function rejectedRecord(topic: string, partition: number, message: KafkaMessage): RejectedRecord {
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

export const dlqErrorCode = errorCodeOf;
