import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import type { Kafka } from '../../src/kafka/client.js';
import { PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll, type TopicRecord } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { waitFor } from '../support/stage-process.js';

export const MALFORMED_EVERY = 25;

/**
 * `count` firewall JSON lines over `objects` S3 objects (so over many raw partitions), every
 * MALFORMED_EVERY-th broken; record number i is unique, so a reader can check each appears once.
 */
export async function produceFirewallRecords(kafka: Kafka, topic: string, count: number, objects = 24): Promise<number> {
  const producer = kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  let malformed = 0;
  const messages = Array.from({ length: count }, (_, i) => {
    const objectKey = `firewall/object-${i % objects}.log`;
    const bad = (i + 1) % MALFORMED_EVERY === 0;
    if (bad) malformed++;
    const value = bad
      ? `{"ts": "2026-11-01T00:00:00Z", "src": {"ip": "10.0.${i % 250}.999"}}`
      : JSON.stringify({
          id: `r${i}`,
          ts: new Date(Date.UTC(2026, 10, 1) + i * 1_000).toISOString(),
          src: { ip: `10.1.${i % 7}.${i % 200}` },
          action: 'allow',
        });
    return {
      key: `bucket/${objectKey}`,
      value,
      headers: {
        [RAW_HEADER.logType]: 'firewall',
        [RAW_HEADER.bucket]: 'bucket',
        [RAW_HEADER.key]: objectKey,
        [RAW_HEADER.recordNumber]: String(i),
      },
    };
  });
  // a topic created a moment ago may not be known to every broker connection yet on a busy machine
  const send = async (batch: typeof messages) =>
    waitFor(
      `${topic} to accept records`,
      () =>
        producer.send({ topic, messages: batch }).then(
          () => true,
          () => undefined,
        ),
      30_000,
    );
  for (let i = 0; i < messages.length; i += 1_000) await send(messages.slice(i, i + 1_000));
  await producer.disconnect();
  return malformed;
}

/** Waits until read_committed shows all `count` inputs, then checks each record number appears exactly once. */
export async function expectEveryInputOnce(kafka: Kafka, topology: Topology, count: number, malformed: number) {
  const names = topicNames(topology);
  await waitFor(
    'every input committed as an event or a DLQ record',
    async () => {
      const [events, dlq] = await Promise.all([readAll(kafka, names.normalized), readAll(kafka, names.dlq('parser'))]);
      return events.length + dlq.length >= count ? true : undefined;
    },
    180_000,
    2_000,
  );
  const events = await readAll(kafka, names.normalized);
  const dlq = await readAll(kafka, names.dlq('parser'));
  expect(events).toHaveLength(count - malformed);
  expect(dlq).toHaveLength(malformed);
  expect(recordNumbers([...events, ...dlq])).toEqual(Array.from({ length: count }, (_, i) => i));
  return { events, dlq };
}

function recordNumbers(records: TopicRecord[]): number[] {
  return records.map((r) => Number(readHeaders(r.message.headers)[RAW_HEADER.recordNumber])).sort((a, b) => a - b);
}

/** A stopped (SIGSTOP) process shows state T in /proc. */
export function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return false;
  }
}

export function logOf(child: { logFile: string }): string {
  return readFileSync(child.logFile, 'utf8');
}
