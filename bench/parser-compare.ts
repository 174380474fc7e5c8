/**
 * The record-for-record check of bench:parser: the parser stage's output topics and the Kafka
 * Streams peer's, read back with read_committed, compared event by event.
 */
import { isDeepStrictEqual } from 'node:util';
import avro from 'avsc';
import type { Kafka } from '../src/kafka/client.js';
import { DLQ_HEADER } from '../src/kafka/dlq.js';
import { scanPartitions } from '../src/kafka/read-topic.js';
import { loadSchema } from '../src/schemas/catalog.js';

/** One record as written, by what identifies it across runs (the event id, or a dead letter's original position). */
interface Copy {
  partition: number;
  key: string | null;
  headers: Array<[string, string | string[]]>;
  value: Buffer | null;
  copies: number;
}

interface TopicContent {
  byId: Map<string, Copy>;
  /** an id whose copies (one per run) were not all the same */
  conflicts: string[];
}

/** Headers that legitimately differ between two writers of the same dead letter: when it was written. */
const VOLATILE_HEADERS = new Set<string>([DLQ_HEADER.failedAt]);

function headerList(headers: Record<string, unknown> | undefined): Array<[string, string | string[]]> {
  return Object.entries(headers ?? {})
    .filter(([k]) => !VOLATILE_HEADERS.has(k))
    .map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]);
}

async function readContent(
  kafka: Kafka,
  topic: string,
  keep: (headers: Record<string, string>, id: string) => boolean,
  idOf: (headers: Record<string, string>) => string,
) {
  const content: TopicContent = { byId: new Map(), conflicts: [] };
  await scanPartitions(kafka, topic, (partition, message) => {
    const headers = headerList(message.headers as Record<string, unknown>);
    const flat = Object.fromEntries(headers.map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]));
    const id = idOf(flat);
    if (!keep(flat, id)) return;
    const copy: Copy = { partition, key: message.key?.toString('hex') ?? null, headers, value: message.value, copies: 1 };
    const seen = content.byId.get(id);
    if (!seen) {
      content.byId.set(id, copy);
      return;
    }
    seen.copies++;
    if (differences(seen, copy, () => undefined).length > 0) content.conflicts.push(id);
  });
  return content;
}

const normalizedType = avro.Type.forSchema(loadSchema('normalized') as avro.Schema);

function decode(value: Buffer | null): Record<string, unknown> | string {
  if (value === null || value.length < 5 || value[0] !== 0) return `not the Confluent wire format (${value?.length ?? 'null'} bytes)`;
  try {
    return normalizedType.fromBuffer(value.subarray(5)) as Record<string, unknown>;
  } catch (error) {
    return `not a NormalizedEvent: ${(error as Error).message}`;
  }
}

/** What differs between two copies of one record, field by field for an event's value. */
function differences(a: Copy, b: Copy, field: (name: string) => undefined | ((x: unknown, y: unknown) => boolean)): string[] {
  const out: string[] = [];
  if (a.partition !== b.partition) out.push(`partition ${a.partition} ≠ ${b.partition}`);
  if (a.key !== b.key) out.push(`key ${show(a.key)} ≠ ${show(b.key)}`);
  const ha = new Map(a.headers);
  const hb = new Map(b.headers);
  for (const name of new Set([...ha.keys(), ...hb.keys()])) {
    const same = field(name) ?? isDeepStrictEqual;
    if (!same(ha.get(name), hb.get(name))) out.push(`header ${name}: ${show(ha.get(name))} ≠ ${show(hb.get(name))}`);
  }
  if (
    out.length === 0 &&
    !isDeepStrictEqual(
      a.headers.map(([k]) => k),
      b.headers.map(([k]) => k),
    )
  )
    out.push('headers in another order');
  const va = a.value;
  const vb = b.value;
  if (va === null || vb === null ? va !== vb : !va.equals(vb)) {
    const da = decode(va);
    const db = decode(vb);
    if (typeof da === 'string' || typeof db === 'string') {
      // dead letters carry the raw bytes: no event to decode
      out.push(`value ${typeof da === 'string' ? da : 'an event'} ≠ ${typeof db === 'string' ? db : 'an event'}`);
    } else {
      const fields = Object.keys(da).filter((k) => !isDeepStrictEqual(da[k], db[k]));
      out.push(
        fields.length > 0
          ? `value: ${fields.map((k) => `${k} ${show(da[k])} ≠ ${show(db[k])}`).join('; ')}`
          : `value bytes differ (${va?.length} vs ${vb?.length} bytes) but decode to the same event (map order or schema id)`,
      );
    }
  }
  return out;
}

function show(v: unknown): string {
  const text = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x)) ?? String(v);
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/**
 * V8 and Jackson word a JSON syntax error differently: the dead letter's message is compared up
 * to "not JSON:" for those; every other message must be the same.
 */
function sameErrorMessage(a: unknown, b: unknown): boolean {
  const prefix = 'not JSON:';
  if (typeof a === 'string' && typeof b === 'string' && a.startsWith(prefix) && b.startsWith(prefix)) return true;
  return a === b;
}

export interface ComparisonSide {
  normalized: string;
  dlq: string;
  /** how many times each record was written to this side's topics (one per run) */
  runs: number;
}

export interface Comparison {
  /** records (events and dead letters) the parser wrote, each counted once */
  total: number;
  identical: number;
  events: number;
  deadLetters: number;
  differences: string[];
  /** what was ignored: fields that legitimately differ */
  ignored: string[];
}

/**
 * Every record of the parser's normalized and DLQ topics (of the raw topics in `rawTopics`)
 * against the peer's: same event id, partition, key, headers and Avro value bytes; each written
 * exactly once per run on both sides (read_committed).
 */
export async function compareOutputs(
  kafka: Kafka,
  parser: ComparisonSide,
  peer: ComparisonSide,
  keep: { logTypes: ReadonlySet<string>; rawTopics: ReadonlySet<string> },
): Promise<Comparison> {
  const eventId = (h: Record<string, string>) => h['siem.event.id'] ?? '(no siem.event.id header)';
  const letterId = (h: Record<string, string>) => `${h[DLQ_HEADER.topic]}/${h[DLQ_HEADER.partition]}/${h[DLQ_HEADER.offset]}`;
  const isEvent = (h: Record<string, string>) => keep.logTypes.has(h['siem.log.type'] ?? '');
  const isLetter = (h: Record<string, string>) => keep.rawTopics.has(h[DLQ_HEADER.topic] ?? '');
  const differencesOut: string[] = [];
  let total = 0;
  let identical = 0;
  let events = 0;
  let deadLetters = 0;
  for (const [kind, topicOf, idOf, keepIt] of [
    ['event', (s: ComparisonSide) => s.normalized, eventId, isEvent],
    ['dead letter', (s: ComparisonSide) => s.dlq, letterId, isLetter],
  ] as const) {
    const a = await readContent(kafka, topicOf(parser), (h) => keepIt(h), idOf);
    const b = await readContent(kafka, topicOf(peer), (h) => keepIt(h), idOf);
    for (const [side, content] of [
      ['parser', a],
      ['Kafka Streams', b],
    ] as const) {
      if (content.conflicts.length > 0) {
        differencesOut.push(
          `${side}: ${content.conflicts.length} ${kind}(s) written differently by two runs, e.g. ${content.conflicts[0]}`,
        );
      }
    }
    for (const [id, copy] of a.byId) {
      total++;
      if (kind === 'event') events++;
      else deadLetters++;
      const other = b.byId.get(id);
      if (!other) {
        differencesOut.push(`${kind} ${id}: only the parser wrote it`);
        continue;
      }
      const diff = differences(copy, other, (name) => (name === DLQ_HEADER.errorMessage ? sameErrorMessage : undefined));
      if (copy.copies !== parser.runs) diff.push(`the parser wrote it ${copy.copies} times in ${parser.runs} runs`);
      if (other.copies !== peer.runs) diff.push(`Kafka Streams wrote it ${other.copies} times in ${peer.runs} runs`);
      if (diff.length === 0) identical++;
      else differencesOut.push(`${kind} ${id}: ${diff.join('; ')}`);
    }
    for (const id of b.byId.keys()) if (!a.byId.has(id)) differencesOut.push(`${kind} ${id}: only Kafka Streams wrote it`);
  }
  return {
    total,
    identical,
    events,
    deadLetters,
    differences: differencesOut,
    ignored: [
      "the Kafka record timestamp (the parser's producer stamps the time of sending; Kafka Streams forwards the raw record's timestamp)",
      `the dead letter's ${DLQ_HEADER.failedAt} header (when it was written)`,
      `the wording after "not JSON:" in ${DLQ_HEADER.errorMessage} (V8's and Jackson's syntax errors)`,
    ],
  };
}
