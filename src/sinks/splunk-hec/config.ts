import { z } from 'zod';
import { sinkCommonFields } from '../common-config.js';

export const splunkHecSinkSchema = z
  .object({
    type: z.literal('splunk-hec'),
    ...sinkCommonFields,
    /** the HEC base URL, e.g. https://splunk.example.com:8088 */
    url: z.string().url(),
    /** the HEC token (sent as `Authorization: Splunk <token>`) */
    token: z.string().min(1),
    index: z.string().min(1).optional(),
    sourcetype: z.string().min(1).default('siem:event'),
    source: z.string().min(1).default('siem-stream'),
    /** `X-Splunk-Request-Channel`; required by HEC when indexer acknowledgement is on (default: a random UUID per process) */
    channel: z.string().uuid().optional(),
    ack: z
      .object({
        /** wait for indexer acknowledgement before a batch counts as delivered */
        enabled: z.boolean().default(false),
        pollIntervalMs: z.number().int().positive().default(500),
        /** no acknowledgement within this long → the batch is sent again (a duplicate, recognisable by EventId) */
        timeoutMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .default({}),
    /** HEC's max_content_length; a batch stays under it */
    maxRequestBytes: z.number().int().positive().default(1_000_000),
    gzip: z.boolean().default(true),
    caFile: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
    requestTimeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();

export type SplunkHecSinkConfig = z.infer<typeof splunkHecSinkSchema>;
