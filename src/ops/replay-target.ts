import { SiemStreamError } from '../errors.js';
/** Where a replay moves a group, as the operator names it (the options of kafka-consumer-groups --reset-offsets). */
export type ReplayTarget = { kind: 'datetime'; timestampMs: number } | { kind: 'offset'; offsets: OffsetSpec } | { kind: 'earliest' };

/** `N` for every partition, `P=N` for partition P of every topic, `TOPIC:P=N` for one partition. */
export interface OffsetSpec {
  all?: bigint;
  byPartition: Map<number, bigint>;
  byTopicPartition: Map<string, bigint>;
}

export interface ReplayTargetOptions {
  toDatetime?: string;
  byDuration?: string;
  toOffset?: string;
  toEarliest?: boolean;
}

export function parseReplayTarget(o: ReplayTargetOptions, now = Date.now()): ReplayTarget {
  const given = [o.toDatetime, o.byDuration, o.toOffset, o.toEarliest ? true : undefined].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new SiemStreamError('CONFIG_INVALID', 'give exactly one of --to-datetime, --by-duration, --to-offset, --to-earliest');
  if (o.toDatetime !== undefined) {
    const ms = Date.parse(o.toDatetime);
    if (Number.isNaN(ms) || !/\d{4}-\d{2}-\d{2}T/.test(o.toDatetime)) {
      throw new SiemStreamError(
        'CONFIG_INVALID',
        `--to-datetime: "${o.toDatetime}" is not an ISO 8601 date-time (e.g. 2026-11-22T00:00:00Z)`,
      );
    }
    return { kind: 'datetime', timestampMs: ms };
  }
  if (o.byDuration !== undefined) return { kind: 'datetime', timestampMs: now - parseIsoDuration(o.byDuration) };
  if (o.toOffset !== undefined) return { kind: 'offset', offsets: parseOffsetSpec(o.toOffset) };
  return { kind: 'earliest' };
}

const UNIT_MS = { W: 604_800_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1_000 } as const;

/** ISO 8601 durations in weeks, days, hours, minutes, seconds (P1D, PT6H, P1DT12H30M); months and years are ambiguous, so refused. */
export function parseIsoDuration(text: string, flag = '--by-duration'): number {
  const match = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new SiemStreamError('CONFIG_INVALID', `${flag}: "${text}" is not an ISO 8601 duration in W/D/H/M/S (e.g. P1D, PT6H, P1DT12H)`);
  }
  const [, w, d, h, m, s] = match;
  return (
    Number(w ?? 0) * UNIT_MS.W +
    Number(d ?? 0) * UNIT_MS.D +
    Number(h ?? 0) * UNIT_MS.H +
    Number(m ?? 0) * UNIT_MS.M +
    Number(s ?? 0) * UNIT_MS.S
  );
}

export function parseOffsetSpec(text: string): OffsetSpec {
  const spec: OffsetSpec = { byPartition: new Map(), byTopicPartition: new Map() };
  for (const item of text.split(',').map((s) => s.trim())) {
    const whole = /^(\d+)$/.exec(item);
    const partition = /^(\d+)=(\d+)$/.exec(item);
    const topicPartition = /^(.+):(\d+)=(\d+)$/.exec(item);
    if (whole) spec.all = BigInt(whole[1] as string);
    else if (partition) spec.byPartition.set(Number(partition[1]), BigInt(partition[2] as string));
    else if (topicPartition) spec.byTopicPartition.set(`${topicPartition[1]}:${topicPartition[2]}`, BigInt(topicPartition[3] as string));
    else throw new SiemStreamError('CONFIG_INVALID', `--to-offset: "${item}" is not N, PARTITION=N or TOPIC:PARTITION=N`);
  }
  return spec;
}

export function offsetFor(spec: OffsetSpec, topic: string, partition: number): bigint | undefined {
  return spec.byTopicPartition.get(`${topic}:${partition}`) ?? spec.byPartition.get(partition) ?? spec.all;
}

export function describeTarget(target: ReplayTarget): string {
  if (target.kind === 'datetime') return `records at or after ${new Date(target.timestampMs).toISOString()}`;
  if (target.kind === 'earliest') return 'the log start';
  return 'the given offsets';
}
