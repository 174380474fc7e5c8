import { isRecordFault } from '../../errors.js';
import type { EachBatchPayload, Kafka, KafkaMessage } from '../../kafka/client.js';
import { PRODUCER_DEFAULTS } from '../../kafka/client-factory.js';
import { deadLetter, rejectedRecord, sendDeadLetters } from '../../kafka/dlq.js';
import type { Logger } from '../../observability/logger.js';
import { recordsIn, recordsOut } from '../../observability/metrics.js';
import { FatalSignal } from '../../runtime/fatal-signal.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { EnrichedEvent } from '../../schemas/events.js';
import type { SinkCommonConfig } from '../common-config.js';
import type { PiiPolicy } from '../pii/policy.js';
import type { SinkWriter } from '../sink-module.js';
import { Batcher } from './batcher.js';
import { deliverBatch } from './deliver-batch.js';
import { OffsetTracker, type PartitionProgress } from './offset-tracker.js';
import { sinkBackPressure, sinkBatchBytes, sinkBuffered, sinkInFlight, sinkQueuedBatches } from './sink-metrics.js';

/** a slow destination call must not cost the member its partitions: the group session is never shorter */
export const SINK_MIN_SESSION_TIMEOUT_MS = 30_000;

export interface SinkRunnerOptions {
  kafka: Kafka;
  stage: string;
  inputTopic: string;
  groupId: string;
  dlqTopic: string;
  config: SinkCommonConfig;
  writer: SinkWriter;
  /** applied to every event before the writer sees it */
  pii: PiiPolicy;
  codec: Pick<EventCodec<EnrichedEvent>, 'decode'>;
  logger: Logger;
  sessionTimeoutMs: number;
  onDelivered?: (count: number) => void;
}

export interface RunningSink {
  /** flushes open batches, waits for in-flight ones, commits, disconnects */
  stop(): Promise<void>;
  /** rejects when the sink stopped on its own: retries exhausted, destination misconfigured, DLQ unwritable */
  failed: Promise<never>;
  /** what is held in memory now: consumed records not yet acknowledged, and batches being written */
  stats(): {
    bufferedRecords: number;
    bufferedBytes: number;
    inFlightBatches: number;
    maxBufferedRecords: number;
    maxBufferedBytes: number;
  };
}

interface Entry {
  payload: unknown;
  bytes: number;
  topic: string;
  message: KafkaMessage;
  progress: PartitionProgress;
}

/**
 * The runtime every destination shares: consume → decode → PII rules → encode → batch → write with retries →
 * DLQ for rejects → acknowledge → commit the contiguous acknowledged prefix of each partition.
 * At most `maxInFlightBatches` batches are written at once and about one more of each is buffered;
 * past that the consumer waits in eachBatch, which stops fetching (back-pressure).
 */
export async function startSinkRunner(options: SinkRunnerOptions): Promise<RunningSink> {
  const { stage, config, writer, logger } = options;
  const limits = {
    maxBatchBytes: Math.min(writer.limits.maxBatchBytes, config.batch.maxBytes ?? Number.POSITIVE_INFINITY),
    maxBatchRecords: Math.min(writer.limits.maxBatchRecords, config.batch.maxRecords),
  };
  const maxBufferedBytes = (config.maxInFlightBatches + 1) * limits.maxBatchBytes;
  const maxBufferedRecords = (config.maxInFlightBatches + 1) * limits.maxBatchRecords;
  const tracker = new OffsetTracker();
  const abort = new AbortController();
  let buffered = { bytes: 0, records: 0 };
  // exported, so a sink that waits for room forever shows why (records held, bytes held, batches queued)
  const setBuffered = (bytes: number, records: number) => {
    buffered = { bytes, records };
    sinkBuffered.set({ stage, unit: 'bytes' }, bytes);
    sinkBuffered.set({ stage, unit: 'records' }, records);
    sinkQueuedBatches.set({ stage }, queue.length);
  };
  let inFlight = 0;
  const queue: Array<{ key: string; items: Entry[] }> = [];
  const roomWaiters: Array<() => void> = [];
  const fatal = new FatalSignal();
  let hasFailed = false;
  let stopRequested = false;

  const producer = options.kafka.producer({ ...PRODUCER_DEFAULTS, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    sessionTimeout: Math.max(options.sessionTimeoutMs, SINK_MIN_SESSION_TIMEOUT_MS),
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [options.inputTopic], fromBeginning: true });
  // commits from the timer stay out of rebalances: one that overlaps a rejoin fails with an unknown
  // member or generation, and clients that commit then are known to stall (librdkafka#2933)
  let rebalancing = false;
  consumer.on(consumer.events.REBALANCING, () => {
    rebalancing = true;
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    rebalancing = false;
    // records of a revoked partition still in flight may be delivered (the new owner redelivers
    // them too, with the same EventId), but their offsets are no longer ours to commit
    tracker.retain(event.payload.memberAssignment);
  });

  const pauseConsumer = () => {
    try {
      consumer.pause([{ topic: options.inputTopic }]);
    } catch {
      // the group has not been joined yet (run() returns before that): nothing is being fetched
    }
  };
  const wakeWaiters = () => {
    for (const w of roomWaiters.splice(0)) w();
  };
  const fail = (error: unknown) => {
    if (hasFailed) return;
    hasFailed = true;
    logger.error({ err: error }, 'sink stopped: nothing past the first unacknowledged record is committed');
    abort.abort();
    wakeWaiters();
    pauseConsumer();
    clearInterval(commitTimer);
    void commit().finally(() => fatal.fail(error));
  };

  const sendToDlq = async (
    rejects: Array<{ entry: { topic: string; message: KafkaMessage; progress: PartitionProgress }; error: unknown; attempts: number }>,
  ) => {
    if (rejects.length === 0) return;
    const letters = rejects.map(({ entry, error, attempts }) =>
      deadLetter(options.dlqTopic, rejectedRecord(entry.topic, entry.progress.partition, entry.message), error, stage, logger, attempts),
    );
    await sendDeadLetters(producer, letters, stage);
  };

  const runBatch = async (key: string, items: Entry[]) => {
    inFlight++;
    sinkInFlight.inc({ stage });
    try {
      const result = await deliverBatch(writer, key, items, { retry: config.retry, stage, signal: abort.signal });
      await sendToDlq(result.rejected.map((r) => ({ entry: r.item, error: r.error, attempts: r.attempts })));
      for (const item of items) item.progress.ack(BigInt(item.message.offset));
      recordsOut.inc({ stage, destination: key }, result.delivered.length);
      options.onDelivered?.(result.delivered.length);
    } catch (error) {
      // cut short by a stop: not acknowledged, so not committed; the next start delivers it again
      if (stopRequested && abort.signal.aborted) logger.warn({ key, records: items.length }, 'batch not delivered before the stop');
      else fail(error);
    } finally {
      inFlight--;
      sinkInFlight.dec({ stage });
      setBuffered(buffered.bytes - items.reduce((n, i) => n + i.bytes, 0), buffered.records - items.length);
      pump();
      wakeWaiters();
    }
  };
  const pump = () => {
    while (!hasFailed && inFlight < config.maxInFlightBatches && queue.length > 0) {
      const next = queue.shift() as { key: string; items: Entry[] };
      void runBatch(next.key, next.items);
    }
  };
  const batcher = new Batcher<Entry>(limits, config.batch.maxLatencyMs, (key, items, bytes) => {
    sinkBatchBytes.observe({ stage }, bytes);
    queue.push({ key, items });
    pump();
  });

  let committing: Promise<void> | undefined;
  const commit = (): Promise<void> => {
    committing ??= (async () => {
      const points = tracker.uncommitted();
      if (points.length === 0 || rebalancing) return;
      try {
        await consumer.commitOffsets(points);
        tracker.markCommitted(points);
      } catch (err) {
        logger.warn({ err }, 'offset commit failed; retried at the next interval');
      }
    })().finally(() => {
      committing = undefined;
    });
    return committing;
  };
  const commitTimer = setInterval(() => void commit(), config.commitIntervalMs);

  /** Waits until the buffer has room, then takes one record's place in it (in the same tick as the check). */
  const reserveRoom = async (payload: EachBatchPayload) => {
    const full = () => buffered.bytes >= maxBufferedBytes || buffered.records >= maxBufferedRecords;
    if (full()) sinkBackPressure.inc({ stage });
    while (!hasFailed && payload.isRunning() && full()) {
      await new Promise<void>((resolve) => {
        roomWaiters.push(resolve);
        setTimeout(resolve, 1_000);
      });
      if (!full()) break;
      await payload.heartbeat();
    }
    setBuffered(buffered.bytes, buffered.records + 1);
  };
  const releaseRoom = () => {
    setBuffered(buffered.bytes, buffered.records - 1);
  };

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { topic, partition, messages } = payload.batch;
      if (messages.length === 0) return;
      const progress = tracker.progressFor(topic, partition, BigInt((messages[0] as KafkaMessage).offset));
      const unencodable: Array<{
        entry: { topic: string; message: KafkaMessage; progress: PartitionProgress };
        error: unknown;
        attempts: number;
      }> = [];
      for (const message of messages) {
        if (stopRequested || hasFailed || !payload.isRunning() || payload.isStale()) break;
        await reserveRoom(payload);
        if (hasFailed || !payload.isRunning() || payload.isStale()) {
          releaseRoom();
          break;
        }
        progress.track(BigInt(message.offset));
        recordsIn.inc({ stage });
        try {
          const event = options.pii.apply(await options.codec.decode(message.value));
          const encoded = writer.encode({ topic, partition, offset: message.offset, event });
          setBuffered(buffered.bytes + encoded.bytes, buffered.records);
          batcher.add(encoded.batchKey, { payload: encoded.payload, bytes: encoded.bytes, topic, message, progress });
        } catch (error) {
          releaseRoom();
          if (!isRecordFault(error)) {
            fail(error);
            break;
          }
          unencodable.push({ entry: { topic, message, progress }, error, attempts: 1 });
        }
        payload.resolveOffset(message.offset);
      }
      try {
        await sendToDlq(unencodable);
        for (const u of unencodable) progress.ack(BigInt(u.entry.message.offset));
      } catch (error) {
        fail(error);
      }
      await payload.heartbeat();
    },
  });
  logger.info(
    {
      topic: options.inputTopic,
      groupId: options.groupId,
      limits,
      maxInFlightBatches: config.maxInFlightBatches,
      pii: options.pii.describe(),
    },
    'sink started',
  );

  let stopping: Promise<void> | undefined;
  return {
    failed: fatal.failed,
    stats: () => ({
      bufferedRecords: buffered.records,
      bufferedBytes: buffered.bytes,
      inFlightBatches: inFlight,
      maxBufferedRecords,
      maxBufferedBytes,
    }),
    stop: () => {
      stopping ??= (async () => {
        stopRequested = true;
        pauseConsumer();
        // a record decoded while stopping may still join a batch: flush until nothing is open or in flight
        do {
          batcher.flushAll();
          while (!hasFailed && (inFlight > 0 || queue.length > 0)) await new Promise((r) => setTimeout(r, 50));
        } while (!hasFailed && !batcher.isEmpty());
        clearInterval(commitTimer);
        await commit();
        abort.abort();
        await consumer.disconnect();
        await producer.disconnect();
        await writer.close();
        logger.info({ pending: tracker.pendingRecords() }, 'sink stopped');
      })();
      return stopping;
    },
  };
}
