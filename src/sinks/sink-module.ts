import type { z } from 'zod';
import type { SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { EnrichedEvent } from '../schemas/events.js';

/** One consumed event with its Kafka coordinates, as a destination sees it. */
export interface SinkRecord {
  topic: string;
  partition: number;
  offset: string;
  event: EnrichedEvent;
}

/** A record in the destination's own shape; `bytes` counts toward the batch size limit. */
export interface EncodedRecord<P> {
  /** batches never mix keys (Sentinel: the DCR stream; Splunk: the index; syslog: one key) */
  batchKey: string;
  payload: P;
  bytes: number;
}

/**
 * What happened to one record of a written batch. `retry` comes back later with backoff (at least
 * `retryAfterMs` when the destination said so); `reject` goes to the sink's DLQ; `too-large` makes
 * the runtime split the batch in halves, and a single record that is still too large is rejected.
 */
export type WriteOutcome =
  | { kind: 'ok' }
  | { kind: 'retry'; error: SiemStreamError; retryAfterMs?: number }
  | { kind: 'reject'; error: SiemStreamError }
  | { kind: 'too-large'; error: SiemStreamError };

/** One outcome for the whole batch, or one per payload in the order given. */
export type BatchOutcome = WriteOutcome | WriteOutcome[];

export interface SinkLimits {
  /** the sum of `bytes` a batch may hold (the destination's request limit minus its framing) */
  maxBatchBytes: number;
  maxBatchRecords: number;
}

/**
 * An open destination. Batching, retries, splitting, the DLQ, back-pressure and offset commits
 * are the runtime's (src/sinks/runtime/); a writer only encodes and sends.
 */
export interface SinkWriter<P = unknown> {
  readonly limits: SinkLimits;
  /** throws a record fault (SiemStreamError with a record code) to send the record to the DLQ */
  encode(record: SinkRecord): EncodedRecord<P>;
  /** sends one batch; throws DESTINATION_MISCONFIGURED to stop the sink, anything else is retried */
  write(batchKey: string, payloads: P[], signal: AbortSignal): Promise<BatchOutcome>;
  close(): Promise<void>;
}

export interface SinkContext {
  stage: string;
  logger: Logger;
}

/** A destination's config schema: a strict object told apart from the others by its `type` literal. */
export type SinkConfigSchema = z.ZodObject<{ type: z.ZodLiteral<string> } & z.ZodRawShape, 'strict'>;

/**
 * A destination type: its config schema (which is also its validation, its TypeScript type and its
 * reference in docs/configuration.md) and how to open it. Listed once, in destinations.ts.
 */
export interface SinkModule<S extends SinkConfigSchema = SinkConfigSchema> {
  configSchema: S;
  /** imports the writer lazily, so loading a topology does not load every destination's SDK */
  open(config: z.infer<S>, context: SinkContext): Promise<SinkWriter>;
}

export function defineSink<S extends SinkConfigSchema>(module: SinkModule<S>): SinkModule<S> {
  return module;
}
