import { z } from 'zod';

export const enricherSchema = z
  .object({
    groupId: z.string().min(1).default('siem-enricher'),
    windowMs: z.number().int().positive().default(60_000),
    maxRecordsPerTransaction: z.number().int().positive().default(500),
  })
  .strict();

export type EnricherConfig = z.infer<typeof enricherSchema>;
