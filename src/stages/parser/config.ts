import { z } from 'zod';
import { type EventSchemaName, MAPPABLE_FIELDS, type MappableField } from '../../schemas/events.js';
import { FORMAT_OPTIONS } from './formats/index.js';

/** A log type: its `format` picks the parser module, and the other keys are that format's options. */
export const logTypeSchema = z.discriminatedUnion('format', [...FORMAT_OPTIONS]);

/** The entity each schema's events are windowed on: the first present field becomes the Kafka key. */
export const DEFAULT_ENTITY_KEYS: Record<EventSchemaName, MappableField[]> = {
  NetworkSession: ['SrcIpAddr'],
  Authentication: ['TargetUsername', 'ActorUsername', 'SrcIpAddr'],
  AuditEvent: ['ActorUsername', 'SrcIpAddr'],
  WebSession: ['SrcIpAddr', 'SrcHostname'],
  Event: ['SrcIpAddr', 'ActorUsername', 'DvcHostname'],
};

const keyOrder = (schema: EventSchemaName) => z.array(z.enum(MAPPABLE_FIELDS)).min(1).default(DEFAULT_ENTITY_KEYS[schema]);

const entityKeysSchema = z
  .object({
    NetworkSession: keyOrder('NetworkSession'),
    Authentication: keyOrder('Authentication'),
    AuditEvent: keyOrder('AuditEvent'),
    WebSession: keyOrder('WebSession'),
    Event: keyOrder('Event'),
  })
  .strict();

export const parserSchema = z
  .object({
    groupId: z.string().min(1).default('siem-parser'),
    maxRecordsPerTransaction: z.number().int().positive().default(500),
    /** partitions whose chunks are worked on side by side; chunks that are ready together commit in one transaction */
    partitionsConsumedConcurrently: z.number().int().positive().default(3),
    /** per ASIM schema, the fields tried in order for the partitioning key (EntityKey) */
    entityKeys: entityKeysSchema.default({}),
  })
  .strict();

export type { LogTypeConfig } from './formats/index.js';
export type ParserConfig = z.infer<typeof parserSchema>;
export type { EventSchemaName };
