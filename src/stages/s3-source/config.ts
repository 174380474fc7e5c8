import { z } from 'zod';
import { nameSchema as name } from '../../config/common.js';

export const s3SourceSchema = z
  .object({
    endpoint: z.string().url().optional(),
    region: z.string().default('us-east-1'),
    forcePathStyle: z.boolean().default(false),
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) })
      .strict()
      .optional(),
    bucket: z.string().min(3),
    prefix: z.string().default(''),
    routes: z.array(z.object({ match: z.string().min(1), logType: name }).strict()).min(1),
    pollIntervalMs: z.number().int().positive().default(5_000),
    chunkRecords: z.number().int().positive().default(500),
    maxRecordBytes: z.number().int().positive().default(1_048_576),
    transactionalId: z.string().default('siem-s3-source'),
  })
  .strict();

export type S3SourceConfig = z.infer<typeof s3SourceSchema>;
