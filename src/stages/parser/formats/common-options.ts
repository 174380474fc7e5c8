import { z } from 'zod';
import { EVENT_SCHEMAS, MAPPABLE_FIELDS } from '../../../schemas/events.js';

/** A field of the normalized model a mapping or an entity key can name ([formats](formats.md#the-normalized-model-schemasnormalized-eventavsc-version-02)). */
export const mappableFieldSchema = z.enum(MAPPABLE_FIELDS).describe('normalized field');

/** Settings every log type has, whatever its format. */
export const commonLogTypeOptions = {
  eventSchema: z
    .enum(EVENT_SCHEMAS)
    .optional()
    .describe(
      "forces the event's `EventSchema` (otherwise the format decides per record; `json`: `Event`): chooses the entity key, the default `EventType`, and the sink stream",
    ),
  product: z.string().optional().describe('`EventProduct` when the format or the map does not provide one'),
  vendor: z.string().optional().describe('`EventVendor` when the format or the map does not provide one'),
  entityKey: z
    .array(mappableFieldSchema)
    .min(1)
    .optional()
    .describe(
      "the fields tried, in order, for this log type's entity key (the Kafka key of its normalized events); default: `parser.entityKeys` of the event's schema",
    ),
};

/** "+02:00" style offset for timestamps that carry no zone. */
export const timezoneOffset = z
  .string()
  .regex(/^(Z|[+-]\d{2}:\d{2})$/, 'Z or ±hh:mm')
  .default('Z');
