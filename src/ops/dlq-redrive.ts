import type { Topology } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import type { Kafka, Message, Producer } from '../kafka/client.js';
import { PRODUCER_DEFAULTS } from '../kafka/client-factory.js';
import { DLQ_HEADER } from '../kafka/dlq.js';
import { faultPoint } from '../kafka/fault-injection.js';
import type { DlqEntry } from './dlq-records.js';
import { ensureRedriveLog, loadRedriven, redriveLogMessage } from './redrive-log.js';

export const REDRIVE_HEADER = {
  from: 'siem.redrive.from',
  count: 'siem.redrive.count',
  at: 'siem.redrive.at',
} as const;

export interface RedriveProgress {
  redriven: number;
  alreadyRedriven: number;
  total: number;
}

export interface RedriveOptions {
  /** records per transaction */
  chunk?: number;
  onProgress?: (p: RedriveProgress) => void;
  dryRun?: boolean;
}

/**
 * Sends the chosen dead-letter records back to their original topics, each at most once across
 * runs: a transactional producer (one fixed id per topology, so a concurrent or crashed run is
 * fenced and its open transaction aborted) commits each chunk of records together with their
 * entries in the redrive log, and records already in the log are skipped.
 */
export async function redrive(
  kafka: Kafka,
  topology: Topology,
  chosen: DlqEntry[],
  options: RedriveOptions = {},
): Promise<RedriveProgress> {
  const logTopic = await ensureRedriveLog(kafka, topology);
  const missingOrigin = chosen.filter((e) => e.originalTopic === '');
  if (missingOrigin.length > 0)
    throw new SiemStreamError(
      'OPERATION_REFUSED',
      `${missingOrigin.length} record(s) carry no ${DLQ_HEADER.topic} header, e.g. ${missingOrigin[0]?.id}`,
    );
  let producer: Producer | undefined;
  if (!options.dryRun) {
    producer = kafka.producer({
      kafkaJS: { ...PRODUCER_DEFAULTS.kafkaJS, transactionalId: `${topology.topics.prefix}dlq-redrive`, maxInFlightRequests: 1 },
    });
    await producer.connect();
    // initialising the id fences an earlier run and ends its open transaction before we read the log
    await (await producer.transaction()).abort();
  }
  try {
    const done = await loadRedriven(kafka, logTopic);
    const todo = chosen.filter((e) => !done.has(e.id));
    const progress: RedriveProgress = { redriven: 0, alreadyRedriven: chosen.length - todo.length, total: chosen.length };
    options.onProgress?.(progress);
    if (!producer) return progress;
    const size = options.chunk ?? 200;
    for (let i = 0; i < todo.length; i += size) {
      const chunk = todo.slice(i, i + size);
      const at = new Date().toISOString();
      const byTopic = new Map<string, Message[]>();
      for (const e of chunk) byTopic.set(e.originalTopic, [...(byTopic.get(e.originalTopic) ?? []), redrivenMessage(e, at)]);
      const transaction = await producer.transaction();
      try {
        await transaction.sendBatch({
          topicMessages: [
            ...[...byTopic].map(([topic, messages]) => ({ topic, messages })),
            { topic: logTopic, messages: chunk.map((e) => redriveLogMessage({ id: e.id, to: e.originalTopic, at })) },
          ],
        });
        faultPoint('before-commit');
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      progress.redriven += chunk.length;
      options.onProgress?.(progress);
    }
    return progress;
  } finally {
    await producer?.disconnect();
  }
}

/** The original key, value and headers, without the failure context, plus where it came from. */
export function redrivenMessage(e: DlqEntry, at: string): Message {
  const headers: Record<string, string> = {};
  const dlqHeaders = new Set<string>(Object.values(DLQ_HEADER));
  for (const [k, v] of Object.entries(e.headers)) if (!dlqHeaders.has(k)) headers[k] = v;
  headers[REDRIVE_HEADER.from] = e.id;
  headers[REDRIVE_HEADER.count] = String(Number(e.headers[REDRIVE_HEADER.count] ?? 0) + 1);
  headers[REDRIVE_HEADER.at] = at;
  return { key: e.key, value: e.value, headers };
}
