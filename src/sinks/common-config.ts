import { z } from 'zod';
import { nameSchema } from '../config/common.js';
import { retryPolicySchema } from '../util/retry.js';
import { piiSchema } from './pii/config.js';
import { SINK_INPUTS } from './sink-input.js';

/** Settings every destination shares; the shared runtime (src/sinks/runtime/) reads them. */
export const sinkCommonFields = {
  name: nameSchema.describe('the stage name (`run --stage <name>`); also names the DLQ topic `dlq.<name>`'),
  groupId: z.string().min(1).optional().describe('consumer group; default `siem-sink-<name>`'),
  input: z
    .enum(SINK_INPUTS)
    .default('enriched')
    .describe(
      "what the sink delivers: `enriched` events, or the enricher's `incidents` (schemas/incident.avsc; [incidents](enrichment.md#incidents)); a sink reads one, so a destination that gets both has two sinks",
    ),
  batch: z
    .object({
      maxRecords: z.number().int().positive().default(10_000).describe('records per request (the destination may allow fewer)'),
      maxBytes: z
        .number()
        .int()
        .positive()
        .optional()
        .describe("bytes per request; default and ceiling: the destination's own limit (it can only lower it)"),
      maxLatencyMs: z
        .number()
        .int()
        .positive()
        .default(100)
        .describe(
          'a batch is sent at the latest this long after its first record (at the maximum rate batches fill by size first; see [performance](performance.md#latency))',
        ),
    })
    .strict()
    .default({})
    .describe('how records are grouped into one request'),
  maxInFlightBatches: z
    .number()
    .int()
    .positive()
    .default(4)
    .describe('batches written at once; also sizes the buffer, beyond which the consumer pauses (back-pressure)'),
  partitionsConsumedConcurrently: z.number().int().positive().default(3).describe('partitions fetched in parallel'),
  retry: retryPolicySchema({ attempts: 10, baseMs: 500, capMs: 30_000 }).describe(
    'writes of the same records before the sink stops (it never skips a record), and the backoff between them when the destination gave no Retry-After',
  ),
  commitIntervalMs: z.number().int().positive().default(1_000).describe('how often acknowledged offsets are committed'),
  pii: piiSchema
    .optional()
    .describe(
      "[PII rules](privacy.md) of this sink: they extend the topology's `pii` rules; a rule for a field the topology covers replaces it",
    ),
};

const commonSchema = z.object(sinkCommonFields);
export type SinkCommonConfig = z.infer<typeof commonSchema>;
