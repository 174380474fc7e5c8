import { type CorpusObject, type EvalLogType, recordId } from './corpus-types.js';
import { Prng } from './prng.js';

export const DELIVERY_ORDERS = ['live', 'backfill'] as const;
export type DeliveryOrder = (typeof DELIVERY_ORDERS)[number];

/**
 * How far behind the newest event time of its log type a record may arrive and still be on
 * time: each writer's batch plus its delivery jitter (corpus.ts DELIVERY). The evaluation's
 * definition of "truly late", independent of the enricher's settings.
 */
export const SOURCE_GRACE_MS: Record<EvalLogType, number> = { cloudtrail: 1_200_000, vpcflow: 600_000, syslog: 180_000, cef: 180_000 };

/** Share of objects a slow writer holds back in the live order, and by how much (beyond every grace). */
const HELD_BACK_SHARE = 0.02;
const HELD_BACK_MS: [number, number] = [1_500_000, 3_600_000];

/**
 * The order objects are written to S3.
 * - live: by delivery time, as the writers deliver (CloudTrail 5–15 min after VPC Flow), with a
 *   few objects held back 25–60 minutes: the only records that are truly late.
 * - backfill: the whole history at once, in any order; reading history is a replay, so nothing
 *   in it is late.
 */
export function deliveryOrder(objects: CorpusObject[], order: DeliveryOrder, seed: number): Array<CorpusObject & { writtenAt: number }> {
  const random = new Prng(seed ^ 0x5eed);
  if (order === 'backfill') return random.shuffle(objects.map((o) => ({ ...o, writtenAt: 0 })));
  return objects
    .map((o) => ({ ...o, writtenAt: o.deliveredAt + (random.chance(HELD_BACK_SHARE) ? random.int(...HELD_BACK_MS) : 0) }))
    .sort((a, b) => a.writtenAt - b.writtenAt);
}

/**
 * Records that arrive after their source's grace: event time older than the newest event time
 * of the same log type in the objects written before theirs, by more than SOURCE_GRACE_MS.
 */
export function trulyLate(ordered: CorpusObject[], order: DeliveryOrder): Set<string> {
  const late = new Set<string>();
  if (order === 'backfill') return late;
  const newest = new Map<EvalLogType, number>();
  for (const object of ordered) {
    const before = newest.get(object.logType) ?? Number.NEGATIVE_INFINITY;
    const limit = before - SOURCE_GRACE_MS[object.logType];
    let max = before;
    object.records.forEach((r, i) => {
      if (r.time < limit) late.add(recordId(object.key, object.headerLines.length + i));
      max = Math.max(max, r.time);
    });
    newest.set(object.logType, max);
  }
  return late;
}
