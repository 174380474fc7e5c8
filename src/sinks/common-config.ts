import { z } from 'zod';
import { nameSchema } from '../config/common.js';
import { retryPolicySchema } from '../util/retry.js';
import { piiSchema } from './pii/config.js';

/** Settings every destination shares; the shared runtime (src/sinks/runtime/) reads them. */
export const sinkCommonFields = {
  name: nameSchema,
  /** consumer group; default `siem-sink-<name>` */
  groupId: z.string().min(1).optional(),
  batch: z
    .object({
      /** records per request (the destination may allow fewer) */
      maxRecords: z.number().int().positive().default(10_000),
      /** bytes per request; default and ceiling: the destination's own limit */
      maxBytes: z.number().int().positive().optional(),
      /** a batch is sent at the latest this long after its first record */
      maxLatencyMs: z.number().int().positive().default(100),
    })
    .strict()
    .default({}),
  /** batches being written at once; beyond that the consumer pauses (back-pressure) */
  maxInFlightBatches: z.number().int().positive().default(4),
  partitionsConsumedConcurrently: z.number().int().positive().default(3),
  /** writes of one batch before the sink stops (it never skips), and the backoff between them */
  retry: retryPolicySchema({ attempts: 10, baseMs: 500, capMs: 30_000 }),
  /** how often acknowledged offsets are committed */
  commitIntervalMs: z.number().int().positive().default(1_000),
  /** PII rules of this sink: they extend the topology's `pii` (a rule for the same field replaces it) */
  pii: piiSchema.optional(),
};

const commonSchema = z.object(sinkCommonFields);
export type SinkCommonConfig = z.infer<typeof commonSchema>;
