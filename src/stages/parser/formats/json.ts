import { z } from 'zod';
import { SiemStreamError } from '../../../errors.js';
import type { MappableField } from '../../../schemas/events.js';
import { toEventResult, toInt, toIpAddress, toLong, toPort, toText } from '../field-values.js';
import { toTimestampMillis } from '../time.js';
import { fallbackTime, timeFallbackSchema } from '../time-fallback.js';
import { commonLogTypeOptions, mappableFieldSchema } from './common-options.js';
import { getSegments, parseJsonObject, remainingFields } from './json-object.js';
import type { EventFields, FormatResult, ParseContext } from './types.js';

export const jsonOptions = z
  .object({
    format: z.literal('json'),
    ...commonLogTypeOptions,
    fieldMap: z
      .record(mappableFieldSchema, z.string().min(1))
      .default({})
      .describe(
        'normalized field → dotted path into the JSON object (`src.ip`). A mapped `TimeGenerated` must be present in every record (without a mapping, `timeFallback` decides); time fields accept ISO 8601 (any zone) or epoch s/ms/µs/ns; IP, port, count and `HttpStatusCode` fields are validated; `EventResult` accepts success/failure synonyms. A value that fails conversion sends the record to `dlq.parser` as `RECORD_INVALID`; top-level source fields no mapping starts with are kept, as text, in `AdditionalFields`',
      ),
    timeFallback: timeFallbackSchema
      .default('object-last-modified')
      .describe(
        "`TimeGenerated` when `fieldMap` maps none: the S3 object's LastModified (`object-last-modified`; a record without it gets its Kafka timestamp) or the raw record's Kafka timestamp (`kafka-timestamp`); `AdditionalFields.TimeGeneratedSource` says which, and the choice is logged at start",
      ),
  })
  .strict()
  .describe('generic JSON lines, one object per line, mapped by `fieldMap` ([formats](formats.md#json--generic-json-lines))');

export type JsonOptions = z.infer<typeof jsonOptions>;

const TIME_FIELDS = new Set<MappableField>(['TimeGenerated', 'EventStartTime', 'EventEndTime']);
const IP_FIELDS = new Set<MappableField>(['SrcIpAddr', 'DstIpAddr', 'DvcIpAddr']);
const PORT_FIELDS = new Set<MappableField>(['SrcPortNumber', 'DstPortNumber']);
const COUNT_FIELDS = new Set<MappableField>(['SrcBytes', 'DstBytes', 'NetworkPackets']);

/**
 * Generic JSON lines: each line one JSON object, mapped into the normalized model through the
 * log type's field map (normalized field → dotted path). Top-level source fields no mapping
 * uses are kept, as text, in AdditionalFields. Without a TimeGenerated mapping the time is the
 * log type's `timeFallback` (AdditionalFields.TimeGeneratedSource says which); with one, a record
 * that lacks the field is invalid.
 */
export function parseJson(bytes: Buffer, options: JsonOptions, context: ParseContext): FormatResult {
  const source = parseJsonObject(bytes);
  const { paths, used } = compiled(options);
  const fields: Record<string, unknown> = {};
  for (const [field, path] of paths) fields[field] = convert(field, getSegments(source, path));
  const additional = remainingFields(source, used);
  if (fields.TimeGenerated === undefined || fields.TimeGenerated === null) {
    if (options.fieldMap.TimeGenerated !== undefined) throw toTimestampMissing(options.fieldMap.TimeGenerated);
    const fallback = fallbackTime(options.timeFallback, context);
    fields.TimeGenerated = fallback.millis;
    additional.TimeGeneratedSource = fallback.source;
  }
  if (typeof fields.NetworkProtocol === 'string') fields.NetworkProtocol = fields.NetworkProtocol.toUpperCase();
  return { kind: 'event', fields: { ...(fields as EventFields), AdditionalFields: additional } };
}

interface CompiledMap {
  paths: Array<[MappableField, string[]]>;
  /** top-level source keys a mapping reads; the others go to AdditionalFields */
  used: Set<string>;
}

const compiledMaps = new WeakMap<JsonOptions, CompiledMap>();

/** The field map split into path segments once per log type, not once per record. */
function compiled(options: JsonOptions): CompiledMap {
  let map = compiledMaps.get(options);
  if (!map) {
    const paths = Object.entries(options.fieldMap).map(
      ([field, path]) => [field as MappableField, path.split('.')] as [MappableField, string[]],
    );
    map = { paths, used: new Set(paths.map(([, segments]) => segments[0] as string)) };
    compiledMaps.set(options, map);
  }
  return map;
}

function convert(field: MappableField, value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (TIME_FIELDS.has(field)) return toTimestampMillis(value, field);
  if (IP_FIELDS.has(field)) return toIpAddress(value, field);
  if (PORT_FIELDS.has(field)) return toPort(value, field);
  if (COUNT_FIELDS.has(field)) return toLong(value, field);
  if (field === 'HttpStatusCode') return toInt(value, field, 100, 999);
  if (field === 'EventResult') return toEventResult(value, field);
  return toText(value);
}

function toTimestampMissing(path: string): SiemStreamError {
  return new SiemStreamError('RECORD_INVALID', `TimeGenerated: source field "${path}" is missing`, { stage: 'parser' });
}
