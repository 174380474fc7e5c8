import { z } from 'zod';
import { MAPPABLE_FIELDS } from '../../schemas/events.js';

export const logTypeSchema = z
  .object({
    format: z.enum(['json']),
    eventSchema: z.enum(['NetworkSession', 'Authentication', 'AuditEvent', 'Event']).default('Event'),
    /** normalized field → dotted path in the source JSON */
    fieldMap: z.record(z.enum(MAPPABLE_FIELDS), z.string().min(1)).default({}),
    product: z.string().optional(),
    vendor: z.string().optional(),
  })
  .strict();

export const parserSchema = z
  .object({
    groupId: z.string().min(1).default('siem-parser'),
    maxRecordsPerTransaction: z.number().int().positive().default(500),
  })
  .strict();

export type LogTypeConfig = z.infer<typeof logTypeSchema>;
export type EventSchemaName = LogTypeConfig['eventSchema'];
