/**
 * @platformatic/kafka (pure TypeScript), used as the pipeline would: read_committed group consumer
 * (a messages stream in `committed` mode), one transactional producer per process with a stable
 * transactional id, per chunk (what the stream has buffered, ≤ chunk records, any partitions):
 * beginTransaction → send the outputs → addConsumer(consumer) + addOffset(last message of each
 * partition) (TxnOffsetCommit with the consumer's generation and member id: KIP-447) → commit.
 * A failed chunk is aborted, the stream closed and a new one opened in `committed` mode, so
 * consumption restarts at the committed offsets; when the abort itself fails (fenced) the process
 * exits, and the supervisor starts it again.
 */
import { Consumer, FetchIsolationLevels, type Message, type MessagesStream, ProduceAcks, Producer } from '@platformatic/kafka';
import { inputKey, inputValue, transform } from './records.js';
import { Meter, pace, report, workerEnv } from './worker-env.js';

const env = workerEnv();
const meter = new Meter();
/** produce: concurrent send() calls (CC_IN_FLIGHT) */
const IN_FLIGHT = Number(process.env.CC_IN_FLIGHT ?? 1);
const BASE = {
  clientId: env.label,
  bootstrapBrokers: env.brokers,
  timeout: env.requestTimeoutMs,
  retries: 10,
  retryDelay: Number(process.env.CC_RETRY_DELAY_MS ?? 100),
};
/** consumer fetch settings the pipeline would use */
const FETCH = {
  isolationLevel: FetchIsolationLevels.READ_COMMITTED,
  maxBytes: 52_428_800,
  maxBytesPerPartition: 1_048_576,
  maxWaitTime: 500,
  highWaterMark: 2 * env.chunk,
};

async function produce(): Promise<void> {
  const producer = new Producer({ ...BASE, idempotent: true, acks: ProduceAcks.ALL, compression: 'none' });
  meter.start();
  const inFlight = new Set<Promise<unknown>>();
  for (let start = 0; start < env.records; start += env.chunk) {
    const messages = [];
    for (let id = start; id < Math.min(env.records, start + env.chunk); id++)
      messages.push({ topic: env.output, key: inputKey(id), value: inputValue(id) });
    const sent = producer.send({ messages }).then(() => {
      meter.count += messages.length;
      inFlight.delete(sent);
    });
    inFlight.add(sent);
    // the first send alone: it initialises the idempotent producer id
    if (start === 0 || inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  report('done', meter.result());
  await producer.close();
}

/**
 * Chunks from a messages stream in flowing mode ('data' events), paused while `max` records wait:
 * what the stream holds when the loop asks, at most `max`, waiting for the first record; undefined
 * when the stream closed. (A first version read it in paused mode with read() and 'readable', and
 * stalled now and then even without faults; the library's own fetch loop does not run while
 * readableFlowing is null. Every figure in the decision record was measured with this reader.)
 */
class ChunkReader {
  private buffer: Message[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  private closed = false;

  constructor(
    private readonly stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>,
    private readonly max: number,
  ) {
    stream.on('data', (m: Message) => {
      this.buffer.push(m);
      if (this.buffer.length >= this.max) stream.pause();
      this.wake?.();
    });
    stream.on('error', (e: Error) => {
      this.failure = e;
      this.wake?.();
    });
    stream.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
  }

  async next(): Promise<Message[] | undefined> {
    while (this.buffer.length === 0) {
      if (this.failure) throw this.failure;
      if (this.closed) return undefined;
      await new Promise<void>((r) => {
        this.wake = r;
      });
      this.wake = undefined;
    }
    const chunk = this.buffer.splice(0, this.max);
    if (this.stream.isPaused()) this.stream.resume();
    return chunk;
  }
}

async function consume(): Promise<void> {
  const consumer = new Consumer({ ...BASE, groupId: env.group, autocommit: false, sessionTimeout: env.sessionTimeoutMs, ...FETCH });
  const stream = await consumer.consume({ topics: [env.input], mode: 'committed', fallbackMode: 'earliest', autocommit: false, ...FETCH });
  const reader = new ChunkReader(stream, env.chunk);
  for (;;) {
    const chunk = await reader.next();
    if (!chunk) break;
    meter.start();
    meter.count += chunk.length;
    if (env.records > 0 && meter.count >= env.records) break;
  }
  report('done', meter.result());
  await stream.close();
  await consumer.close(true);
}

/** The message and the Kafka error codes inside platformatic's nested errors. */
function describe(error: unknown): string {
  const codes = new Set<string>();
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 5) return;
    const x = e as { apiId?: string; code?: string; errors?: unknown[] };
    if (x.apiId) codes.add(x.apiId);
    for (const inner of x.errors ?? []) walk(inner, depth + 1);
  };
  walk(error, 0);
  return `${(error as Error).message}${codes.size ? ` [${[...codes].join(',')}]` : ''}`;
}

function lastPerPartition(chunk: Message[]): Message[] {
  const last = new Map<string, Message>();
  for (const m of chunk) last.set(`${m.topic}:${m.partition}`, m);
  return [...last.values()];
}

async function hop(): Promise<void> {
  const producer = new Producer({
    ...BASE,
    transactionalId: env.transactionalId,
    idempotent: true,
    acks: ProduceAcks.ALL,
    compression: 'none',
  });
  const consumer = new Consumer({
    ...BASE,
    groupId: env.group,
    autocommit: false,
    sessionTimeout: env.sessionTimeoutMs,
    heartbeatInterval: Math.floor(env.sessionTimeoutMs / 5),
    ...FETCH,
  });
  report('ready');
  const since = Date.now();
  let committed = 0;
  let aborted = 0;
  let transactions = 0;
  const ticker = setInterval(() => report('progress', { committed, aborted, transactions }), 5_000);
  outer: for (;;) {
    const stream = await consumer.consume({
      topics: [env.input],
      mode: 'committed',
      fallbackMode: 'earliest',
      autocommit: false,
      ...FETCH,
    });
    stream.on('error', (error) => report('stream-error', { error: error.message }));
    const reader = new ChunkReader(stream, env.chunk);
    try {
      for (;;) {
        const chunk = await reader.next();
        if (!chunk) throw new Error('stream ended');
        meter.start();
        // a failed InitProducerId inside beginTransaction leaves the producer holding a transaction that
        // never began: every later beginTransaction says "There is already an active transaction" (seen
        // after SIGKILL restarts). The process exits, as the pipeline's would, and starts again.
        const transaction = await producer.beginTransaction().catch((error: unknown) => {
          report('exit', { reason: `beginTransaction failed: ${describe(error)}` });
          process.exit(3);
        });
        try {
          await transaction.send({ messages: chunk.map((m) => ({ topic: env.output, key: m.key, value: transform(m.value) })) });
          await transaction.addConsumer(consumer);
          for (const last of lastPerPartition(chunk)) await transaction.addOffset(last);
          await transaction.commit();
        } catch (error) {
          aborted++;
          report('chunk-failed', { records: chunk.length, error: describe(error) });
          if (!transaction.completed) {
            await transaction.abort().catch(async (abortError: unknown) => {
              report('exit', { reason: `abort failed: ${describe(abortError)}` });
              process.exit(3);
            });
          }
          throw error;
        }
        committed += chunk.length;
        transactions++;
        meter.count += chunk.length;
        if (env.records > 0 && committed >= env.records) break outer;
        await pace(committed, since, env.maxRate);
      }
    } catch (error) {
      // back to the committed offsets: a new stream in `committed` mode
      report('restart-stream', { error: describe(error) });
      await stream.close().catch(() => undefined);
    }
  }
  clearInterval(ticker);
  report('done', { ...meter.result(), aborted, transactions });
  await consumer.close(true);
  await producer.close();
}

process.on('SIGTERM', () => {
  report('exit', { reason: 'SIGTERM' });
  process.exit(0);
});

await (env.mode === 'produce' ? produce() : env.mode === 'consume' ? consume() : hop());
process.exit(0);
