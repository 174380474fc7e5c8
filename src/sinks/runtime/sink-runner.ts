import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaConfig } from '../../config/schema.js';
import { isRecordFault } from '../../errors.js';
import type { EachBatchPayload } from '../../kafka/client.js';
import { deadLetter, rejectedRecord, sendDeadLetters } from '../../kafka/dlq.js';
import type { ConsumedMessage } from '../../kafka/message.js';
import { CONSUMER_PREFETCH, createRdKafka, RdErrorCodes, type RdTopicPartition } from '../../kafka/rdkafka.js';
import type { Logger } from '../../observability/logger.js';
import { recordsIn, recordsOut } from '../../observability/metrics.js';
import { reportAssigned } from '../../observability/readiness.js';
import { FatalSignal } from '../../runtime/fatal-signal.js';
import { watchGroupMembership } from '../../runtime/group-liveness.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { EnrichedEvent } from '../../schemas/events.js';
import type { SinkCommonConfig } from '../common-config.js';
import type { PiiPolicy } from '../pii/policy.js';
import type { SinkWriter } from '../sink-module.js';
import { Batcher } from './batcher.js';
import { deliverBatch } from './deliver-batch.js';
import { OffsetTracker, type PartitionProgress } from './offset-tracker.js';
import { sinkBackPressure, sinkBatchBytes, sinkBuffered, sinkInFlight, sinkQueuedBatches } from './sink-metrics.js';

/**
 * The group session of a sink is never shorter (the chaos harness's zombies outlive it). With
 * librdkafka a slow destination call no longer costs heartbeats (they are sent from its own thread).
 */
export const SINK_MIN_SESSION_TIMEOUT_MS = 30_000;

/** records one eachBatch hands over (one partition's) */
const RECORDS_PER_FETCH = 1_000;
/**
 * How long one eachBatch may wait for buffer room before it hands the rest of its records back
 * (the client reads them again). Rebalance callbacks are only served between batches, so a wait
 * without bound would hold the whole group in its rebalance and trip its liveness check.
 */
const MAX_WAIT_IN_BATCH_MS = 5_000;

export interface SinkRunnerOptions {
  /** the topology's `kafka`: the runner builds its own clients from it */
  kafka: KafkaConfig;
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
  onDelivered?: (count: number) => void;
}

export interface RunningSink {
  /** flushes open batches, waits for in-flight ones, commits, disconnects */
  stop(): Promise<void>;
  /** rejects when the sink stopped on its own: retries exhausted, destination misconfigured, DLQ unwritable, out of its group */
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
  message: ConsumedMessage;
  progress: PartitionProgress;
}

interface Unencodable {
  entry: { topic: string; message: ConsumedMessage; progress: PartitionProgress };
  error: unknown;
  attempts: number;
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * The runtime every destination shares: consume → decode → PII rules → encode → batch → write with retries →
 * DLQ for rejects → acknowledge → commit the contiguous acknowledged prefix of each partition, on a
 * timer, when partitions are revoked (before they go) and at the stop.
 * At most `maxInFlightBatches` batches are written at once and about one more of each is buffered;
 * past that the consumer waits in eachBatch, which stops fetching (back-pressure), for a few
 * seconds at a time: then the batch's remaining records are handed back and read again.
 */
export async function startSinkRunner(options: SinkRunnerOptions): Promise<RunningSink> {
  const { stage, config, writer, logger, groupId } = options;
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
  const full = () => buffered.bytes >= maxBufferedBytes || buffered.records >= maxBufferedRecords;
  let inFlight = 0;
  const queue: Array<{ key: string; items: Entry[] }> = [];
  const roomWaiters: Array<() => void> = [];
  const fatal = new FatalSignal();
  let hasFailed = false;
  let stopRequested = false;
  let disconnecting = false;
  // between a revoke and the next assignment: the timer's commits wait
  let rebalancing = false;
  // partitions whose revoke has begun: their batches still being read are left to the next owner
  const revoked = new Set<string>();

  const sessionTimeout = Math.max(options.kafka.sessionTimeoutMs, SINK_MIN_SESSION_TIMEOUT_MS);
  const { kafka, clientId } = createRdKafka(options.kafka, stage);
  // dead letters outside a transaction: idempotent, acknowledged by every in-sync replica
  const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false } });
  const consumer = kafka.consumer({
    'js.consumer.max.batch.size': RECORDS_PER_FETCH,
    ...CONSUMER_PREFETCH,
    'max.poll.interval.ms': Math.max(options.kafka.maxPollIntervalMs, sessionTimeout),
    // served between batches; the client unassigns only once every batch in hand has returned
    rebalance_cb: async (error: { code: number }, assignment: RdTopicPartition[], how?: { assignmentLost(): boolean }) => {
      if (error.code === RdErrorCodes.ERR__ASSIGN_PARTITIONS) {
        logger.info({ assigned: assignment }, 'partitions assigned');
        for (const { topic, partition } of assignment) revoked.delete(keyOf(topic, partition));
        rebalancing = false;
        reportAssigned(stage);
      } else if (error.code === RdErrorCodes.ERR__REVOKE_PARTITIONS) {
        // lost: the group moved on without this member (a zombie, a session timeout); its generation is stale
        const lost = how?.assignmentLost() ?? false;
        logger.info({ revoked: assignment, lost }, 'partitions revoked');
        rebalancing = true;
        for (const { topic, partition } of assignment) revoked.add(keyOf(topic, partition));
        // before the partitions go, what the destination acknowledged for them is committed with this generation
        if (!lost && !disconnecting)
          await Promise.race([commit(assignment), sleep(options.kafka.requestTimeoutMs, undefined, { ref: false })]);
        tracker.drop(assignment);
      }
    },
    kafkaJS: {
      groupId,
      fromBeginning: true,
      autoCommit: false,
      readUncommitted: false,
      sessionTimeout,
      heartbeatInterval: Math.max(500, Math.floor(sessionTimeout / 5)),
      allowAutoTopicCreation: false,
    },
  });

  const pauseConsumer = () => {
    try {
      consumer.pause([{ topic: options.inputTopic }]);
    } catch {
      // not connected (any more): nothing is being fetched
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

  const sendToDlq = async (rejects: Unencodable[]) => {
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

  /**
   * Commits the acknowledged prefix of every partition, or of `only` those (a revoke), one commit
   * at a time. The timer's commits stay out of rebalances: librdkafka sends the generation it has,
   * and a member that the group moved on without is refused (unknown member, illegal generation).
   */
  let committing: Promise<void> | undefined;
  const commit = async (only?: RdTopicPartition[]): Promise<void> => {
    while (committing) await committing;
    if (!only && rebalancing) return;
    const points = tracker.uncommitted(only);
    if (points.length === 0) return;
    committing = (async () => {
      try {
        await consumer.commitOffsets(points);
        tracker.markCommitted(points);
      } catch (err) {
        logger.warn({ err, points }, 'offset commit failed; retried at the next interval');
      }
    })().finally(() => {
      committing = undefined;
    });
    await committing;
  };
  const commitTimer = setInterval(() => {
    if (!committing) void commit();
  }, config.commitIntervalMs);

  /**
   * Waits until the buffer has room, at the latest until `deadline`, then takes one record's
   * place in it (in the same tick as the check). False: the batch ends here, its remaining
   * records are read again.
   */
  const reserveRoom = async (payload: EachBatchPayload, key: string, deadline: number): Promise<boolean> => {
    const goOn = () => !stopRequested && !hasFailed && payload.isRunning() && !payload.isStale() && !revoked.has(key);
    if (full()) sinkBackPressure.inc({ stage });
    while (goOn() && full()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        roomWaiters.push(resolve);
        setTimeout(resolve, Math.min(left, 1_000));
      });
    }
    if (!goOn()) return false;
    setBuffered(buffered.bytes, buffered.records + 1);
    return true;
  };
  const releaseRoom = () => {
    setBuffered(buffered.bytes, buffered.records - 1);
  };

  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [options.inputTopic] });
  const liveness = watchGroupMembership({
    config: options.kafka,
    groupId,
    clientId,
    stallMs: Math.max(30_000, 3 * sessionTimeout),
    logger,
    onStalled: (error) => fail(error),
  });
  await consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
    eachBatch: async (payload) => {
      const { topic, partition, messages } = payload.batch;
      const first = messages[0];
      const last = messages[messages.length - 1];
      if (!first || !last) return;
      const key = keyOf(topic, partition);
      // A batch of a partition being revoked is left to the next owner, who reads from the
      // committed offset. It is resolved whole so that the client does not seek the partition: a
      // seek issued after the unassignment is kept and applied whenever the partition comes back.
      const leaveToNextOwner = () => payload.resolveOffset(last.offset);
      if (revoked.has(key)) {
        leaveToNextOwner();
        return;
      }
      if (stopRequested || hasFailed) return; // unresolved: read again by whoever runs next
      const deadline = Date.now() + MAX_WAIT_IN_BATCH_MS;
      const progress = tracker.progressFor(topic, partition, BigInt(first.offset));
      const unencodable: Unencodable[] = [];
      // the last record taken (batched or dead-lettered): resolved once, below; the rest is read again
      let taken: string | undefined;
      for (const message of messages) {
        if (!(await reserveRoom(payload, key, deadline))) break;
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
        taken = message.offset;
      }
      try {
        await sendToDlq(unencodable);
        for (const u of unencodable) progress.ack(BigInt(u.entry.message.offset));
      } catch (error) {
        fail(error);
      }
      if (revoked.has(key)) leaveToNextOwner();
      else if (taken !== undefined) payload.resolveOffset(taken);
    },
  });
  logger.info(
    {
      topic: options.inputTopic,
      groupId,
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
        liveness.stop();
        disconnecting = true;
        await consumer.disconnect();
        await producer.disconnect();
        await writer.close();
        logger.info({ pending: tracker.pendingRecords() }, 'sink stopped');
      })();
      return stopping;
    },
  };
}
