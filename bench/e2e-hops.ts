import type { Topology } from '../src/config/schema.js';
import { topicNames } from '../src/config/topics.js';
import type { Kafka } from '../src/kafka/client.js';
import { readHeaders } from '../src/kafka/headers.js';
import { scanPartitions } from '../src/kafka/read-topic.js';
import { RAW_HEADER } from '../src/schemas/raw-record.js';
import type { AcceptedRecord } from './e2e-accepted.js';
import { percentile } from './stats.js';

/** p50/p99 ms of one hop of the latency phase's records. */
export interface HopLatency {
  hop: string;
  p50: number;
  p99: number;
}

/**
 * Where a record's latency goes: per record of the latency phase, the time from its object's
 * PutObject to its raw record (source), to its normalized event (parser), to its enriched event
 * (enricher), and to the emulator's acceptance (sink), from the records' Kafka timestamps (the
 * producers' create times; every process runs on this machine's one clock).
 */
export async function hopLatencies(
  kafka: Kafka,
  topology: Topology,
  putDoneAt: ReadonlyMap<string, number>,
  accepted: readonly AcceptedRecord[],
): Promise<HopLatency[]> {
  const names = topicNames(topology);
  const at = async (topics: string[]) => {
    const times = new Map<string, number>();
    for (const topic of topics)
      await scanPartitions(kafka, topic, (_partition, message) => {
        const h = readHeaders(message.headers);
        const key = h[RAW_HEADER.key];
        if (key !== undefined && putDoneAt.has(key)) times.set(`${key}#${h[RAW_HEADER.recordNumber]}`, Number(message.timestamp));
      });
    return times;
  };
  const raw = await at(Object.keys(topology.logTypes).map((t) => names.raw(t)));
  const normalized = await at([names.normalized]);
  const enriched = await at([names.enriched]);
  const hops: Record<string, number[]> = {
    'PutObject → raw (s3-source)': [],
    'raw → normalized (parser)': [],
    'normalized → enriched (enricher)': [],
    'enriched → accepted (sink)': [],
  };
  for (const r of accepted) {
    const id = `${r.key}#${r.recordNumber}`;
    const put = putDoneAt.get(r.key);
    const [a, b, c] = [raw.get(id), normalized.get(id), enriched.get(id)];
    if (put === undefined || a === undefined || b === undefined || c === undefined) continue;
    hops['PutObject → raw (s3-source)']?.push(a - put);
    hops['raw → normalized (parser)']?.push(b - a);
    hops['normalized → enriched (enricher)']?.push(c - b);
    hops['enriched → accepted (sink)']?.push(r.receivedAtMs - c);
  }
  return Object.entries(hops).map(([hop, ms]) => {
    ms.sort((x, y) => x - y);
    return { hop, p50: percentile(ms, 50), p99: percentile(ms, 99) };
  });
}
