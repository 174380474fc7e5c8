import { z } from 'zod';
import { EVENT_SCHEMAS, MAPPABLE_FIELDS } from '../../../schemas/events.js';

/** Settings every log type has, whatever its format. */
export const commonLogTypeOptions = {
  /** overrides the ASIM schema the format would choose per record */
  eventSchema: z.enum(EVENT_SCHEMAS).optional(),
  product: z.string().optional(),
  vendor: z.string().optional(),
  /** overrides parser.entityKeys for this log type: the first present field becomes the Kafka key */
  entityKey: z.array(z.enum(MAPPABLE_FIELDS)).min(1).optional(),
};

/** "+02:00" style offset for timestamps that carry no zone. */
export const timezoneOffset = z
  .string()
  .regex(/^(Z|[+-]\d{2}:\d{2})$/, 'Z or ±hh:mm')
  .default('Z');
