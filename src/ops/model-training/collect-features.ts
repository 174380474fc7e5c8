import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Kafka } from '../../kafka/client.js';
import type { ConsumedMessage } from '../../kafka/message.js';
import { kafkaSettingsOf } from '../../kafka/rdkafka.js';
import { readPartitionToEnd } from '../../kafka/read-partition.js';
import { partitionRanges } from '../../kafka/read-topic.js';
import type { EventCodec } from '../../schemas/event-codec.js';
import type { EnrichedEvent } from '../../schemas/events.js';
import type { EnricherOutput } from '../../stages/enricher/enriched-fields.js';
import { FEATURE_NAMES } from '../../stages/enricher/features.js';
import { featuresOfEnriched } from '../../stages/enricher/training/enriched-features.js';

export interface CollectOptions {
  sinceMs: number;
  untilMs: number;
  /** stop after this many training rows */
  maxRows: number;
  /** keep events the running model flagged (default: train on what it called normal) */
  includeFlagged: boolean;
  onProgress?: (counts: CollectCounts) => void;
}

export interface CollectCounts {
  read: number;
  rows: number;
  flagged: number;
  withoutFeatures: number;
  undecodable: number;
  byLogType: Record<string, number>;
  modelVersions: Record<string, number>;
}

/** Records decoded at a time: bounds memory whatever the topic's size. */
const BATCH = 5_000;

/**
 * Writes the enriched topic's features between `sinceMs` and `untilMs` (record timestamps,
 * read_committed) as the CSV models/train.py reads: the features exactly as the running enricher
 * computed them, so the new model learns the numbers it will be fed.
 */
export async function collectTrainingFeatures(
  kafka: Kafka,
  codec: EventCodec<EnrichedEvent>,
  csvPath: string,
  options: CollectOptions,
): Promise<CollectCounts> {
  const counts: CollectCounts = { read: 0, rows: 0, flagged: 0, withoutFeatures: 0, undecodable: 0, byLogType: {}, modelVersions: {} };
  const out = createWriteStream(csvPath);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(`${FEATURE_NAMES.join(',')}\n`);
  const settings = kafkaSettingsOf(kafka);
  for (const range of await partitionRanges(kafka, codec.topic, options.sinceMs)) {
    let next = range.from;
    let pastUntil = false;
    while (!pastUntil && next < range.end && counts.rows < options.maxRows) {
      const batch: ConsumedMessage[] = [];
      await readPartitionToEnd(
        settings,
        codec.topic,
        range.partition,
        (m) => {
          if (Number(m.timestamp) >= options.untilMs) {
            pastUntil = true;
            return false;
          }
          batch.push(m);
          return batch.length < BATCH;
        },
        { from: next },
      );
      const last = batch.at(-1);
      if (!last) break;
      next = BigInt(last.offset) + 1n;
      counts.read += batch.length;
      const events = await Promise.all(batch.map((m) => codec.decode(m.value).catch(() => null)));
      for (const event of events as Array<EnricherOutput | null>) {
        if (counts.rows >= options.maxRows) break;
        const vector = take(event, options, counts);
        if (vector) await write(`${vector.map((v) => String(Math.round(v * 1e6) / 1e6)).join(',')}\n`);
      }
      options.onProgress?.(counts);
    }
  }
  out.end();
  await once(out, 'finish');
  return counts;
}

function take(event: EnricherOutput | null, options: CollectOptions, counts: CollectCounts): number[] | null {
  if (event === null) {
    counts.undecodable++;
    return null;
  }
  if (event.ModelVersion) counts.modelVersions[event.ModelVersion] = (counts.modelVersions[event.ModelVersion] ?? 0) + 1;
  if (event.IsAnomaly && !options.includeFlagged) {
    counts.flagged++;
    return null;
  }
  const vector = featuresOfEnriched(event);
  if (vector === null) {
    counts.withoutFeatures++;
    return null;
  }
  counts.byLogType[event.LogType] = (counts.byLogType[event.LogType] ?? 0) + 1;
  counts.rows++;
  return vector;
}
