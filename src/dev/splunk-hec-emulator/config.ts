import { z } from 'zod';

export const hecEmulatorConfigSchema = z
  .object({
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    /** the HEC tokens accepted, and whether each requires indexer acknowledgement (then a channel is mandatory) */
    tokens: z.record(z.string().min(1), z.object({ ack: z.boolean().default(false) }).strict()),
    /** Splunk's max_content_length (bytes as sent); above → 413 */
    maxContentLength: z.number().int().positive().default(1_000_000),
    /** an ackId turns true this long after its request was accepted (indexing delay) */
    ackDelayMs: z.number().int().min(0).default(50),
  })
  .strict();

export type HecEmulatorConfigInput = z.input<typeof hecEmulatorConfigSchema>;
export type HecEmulatorConfig = z.output<typeof hecEmulatorConfigSchema>;
