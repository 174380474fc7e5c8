import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { LogsIngestionClient, type LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import type { EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { SentinelSinkConfig, Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import { isRecordFault } from '../../errors.js';
import { PRODUCER_DEFAULTS } from '../../kafka/client-factory.js';
import { dlqErrorCode, dlqMessage, rejectedRecord } from '../../kafka/dlq.js';
import type { Logger } from '../../observability/logger.js';
import { batchDuration, dlqRecords, recordsIn, recordsOut } from '../../observability/metrics.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { EnrichedEvent } from '../../schemas/events.js';
import { type DcrColumn, dcrColumns, toRow } from './columns.js';
import { createCredential } from './credential.js';
import { type Row, uploadRows } from './uploader.js';

export interface RunningSink {
  stop(): Promise<void>;
}

interface PendingRow {
  message: KafkaMessage;
  row: Row;
}

/**
 * Reads enriched events, batches them per DCR stream and uploads them to the Logs Ingestion API.
 * A partition's offset is committed only after every record up to it was accepted by Azure or
 * written to the sink's DLQ, so a crash redelivers (with the same EventId) and never skips.
 */
export async function startSentinelSink(
  topology: Topology,
  config: SentinelSinkConfig,
  kafka: Kafka,
  codec: EventCodec<EnrichedEvent>,
  logger: Logger,
  onDelivered?: (count: number) => void,
): Promise<RunningSink> {
  const names = topicNames(topology);
  const stage = config.name;
  const columns = dcrColumns('enriched');
  const client = new LogsIngestionClient(config.endpoint, createCredential(config.credential), clientOptions(config));
  const dlqTopic = names.dlq(config.name);
  const producer = kafka.producer({ ...PRODUCER_DEFAULTS, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId: config.groupId ?? `siem-sink-${config.name}`,
    readUncommitted: false,
    sessionTimeout: Math.max(topology.kafka.sessionTimeoutMs, 30_000),
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [names.enriched], fromBeginning: true });
  const abort = new AbortController();
  const context: BatchContext = { config, stage, columns, client, codec, producer, dlqTopic, logger, signal: abort.signal, onDelivered };
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      for (let i = 0; i < payload.batch.messages.length; i += config.batch.maxRecords) {
        if (!payload.isRunning() || payload.isStale()) return;
        const chunk = payload.batch.messages.slice(i, i + config.batch.maxRecords);
        await deliverChunk(chunk, payload, context);
        const last = chunk[chunk.length - 1] as KafkaMessage;
        await consumer.commitOffsets([
          { topic: payload.batch.topic, partition: payload.batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
        ]);
        payload.resolveOffset(last.offset);
        await payload.heartbeat();
      }
    },
  });
  return {
    stop: async () => {
      abort.abort();
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

interface BatchContext {
  config: SentinelSinkConfig;
  stage: string;
  columns: DcrColumn[];
  client: LogsIngestionClient;
  codec: EventCodec<EnrichedEvent>;
  producer: Producer;
  dlqTopic: string;
  logger: Logger;
  signal: AbortSignal;
  onDelivered: ((count: number) => void) | undefined;
}

async function deliverChunk(chunk: KafkaMessage[], payload: EachBatchPayload, ctx: BatchContext): Promise<void> {
  const { topic, partition } = payload.batch;
  const timer = batchDuration.startTimer({ stage: ctx.stage });
  const byStream = new Map<string, PendingRow[]>();
  const dead: Message[] = [];
  const toDlq = (message: KafkaMessage, error: unknown) => {
    dead.push(dlqMessage(rejectedRecord(topic, partition, message), error, ctx.stage));
    dlqRecords.inc({ stage: ctx.stage, error_code: dlqErrorCode(error) });
  };
  for (const message of chunk) {
    try {
      const event = await ctx.codec.decode(message.value);
      const stream = ctx.config.streams[event.EventSchema] ?? (ctx.config.streams['*'] as string);
      const rows = byStream.get(stream) ?? [];
      rows.push({ message, row: toRow(event as unknown as Record<string, unknown>, ctx.columns) });
      byStream.set(stream, rows);
    } catch (error) {
      if (!isRecordFault(error)) throw error;
      toDlq(message, error);
    }
  }
  let delivered = 0;
  for (const [stream, pending] of byStream) {
    const messageOf = new Map(pending.map((p) => [p.row, p.message]));
    const rejected = await uploadRows(
      ctx.client,
      ctx.config.dcrImmutableId,
      stream,
      pending.map((p) => p.row),
      {
        maxAttempts: ctx.config.maxAttempts,
        stage: ctx.stage,
        signal: ctx.signal,
      },
    );
    for (const { row, error } of rejected) toDlq(messageOf.get(row) as KafkaMessage, error);
    delivered += pending.length - rejected.length;
    recordsOut.inc({ stage: ctx.stage, destination: stream }, pending.length - rejected.length);
  }
  if (dead.length > 0) {
    await ctx.producer.send({ topic: ctx.dlqTopic, messages: dead, acks: -1 });
    ctx.logger.warn({ topic, partition, count: dead.length }, 'records sent to the sink DLQ');
  }
  recordsIn.inc({ stage: ctx.stage }, chunk.length);
  timer();
  ctx.onDelivered?.(delivered);
}

function clientOptions(config: SentinelSinkConfig): LogsIngestionClientOptions {
  const options: LogsIngestionClientOptions = { audience: config.audience };
  if (config.caFile) {
    // Trust an extra CA (the local emulator's self-signed certificate) for this client only.
    (options as { tlsOptions?: { ca: string[] } }).tlsOptions = { ca: [...rootCertificates, readFileSync(config.caFile, 'utf8')] };
  }
  return options;
}
