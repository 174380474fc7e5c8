import { z } from 'zod';
import type { EventSchemaName, MappableField } from '../../schemas/events.js';
import { mappableFieldSchema } from './formats/common-options.js';
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

const keyOrder = (schema: EventSchemaName) =>
  z.array(mappableFieldSchema).min(1).default(DEFAULT_ENTITY_KEYS[schema]).describe(`the fields tried, in order, for \`${schema}\` events`);

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
    groupId: z
      .string()
      .min(1)
      .default('siem-parser')
      .describe('consumer group; also the prefix of its transactional ids `<groupId>-<topic>-<partition>`'),
    maxRecordsPerTransaction: z.number().int().positive().default(500).describe('upper bound of input records of one partition per chunk'),
    partitionsConsumedConcurrently: z
      .number()
      .int()
      .positive()
      .default(3)
      .describe(
        'partitions whose chunks are worked on side by side; chunks ready while a transaction commits share the next one (group commit)',
      ),
    entityKeys: entityKeysSchema
      .default({})
      .describe(
        'per ASIM schema, the fields tried in order for the entity key (the Kafka key of normalized events, what the enricher windows on): `<field>:<value>` of the first present field; with none, `none:<bucket>/<key>`',
      ),
  })
  .strict();

export type { LogTypeConfig } from './formats/index.js';
export type ParserConfig = z.infer<typeof parserSchema>;
export type { EventSchemaName };
