import { z } from 'zod';
import { sinkCommonFields } from '../common-config.js';

export const splunkHecSinkSchema = z
  .object({
    type: z.literal('splunk-hec'),
    ...sinkCommonFields,
    url: z.string().url().describe('the HEC base URL, e.g. `https://splunk.example.com:8088`'),
    token: z.string().min(1).describe('the HEC token (sent as `Authorization: Splunk <token>`)'),
    index: z.string().min(1).optional().describe("the events' index; default: the token's default index"),
    sourcetype: z.string().min(1).default('siem:event').describe("the events' sourcetype"),
    source: z.string().min(1).default('siem-stream').describe("the events' source"),
    channel: z
      .string()
      .uuid()
      .optional()
      .describe('`X-Splunk-Request-Channel`, required by HEC when indexer acknowledgement is on; default: a random UUID per process'),
    ack: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe('wait for indexer acknowledgement before a batch counts as delivered (the token must have it on)'),
        pollIntervalMs: z.number().int().positive().default(500).describe('how often `/services/collector/ack` is polled'),
        timeoutMs: z
          .number()
          .int()
          .positive()
          .default(60_000)
          .describe('no acknowledgement within this long → the batch is sent again (a duplicate, recognisable by `EventId`)'),
      })
      .strict()
      .default({})
      .describe('indexer acknowledgement'),
    maxRequestBytes: z
      .number()
      .int()
      .positive()
      .default(1_000_000)
      .describe("HEC's `max_content_length`; a batch stays under it (uncompressed)"),
    gzip: z.boolean().default(true).describe('send `Content-Encoding: gzip`'),
    caFile: z.string().optional().describe('a CA certificate (PEM file) to trust, for a self-signed HEC certificate'),
    rejectUnauthorized: z.boolean().default(true).describe("verify HEC's certificate"),
    requestTimeoutMs: z.number().int().positive().default(30_000).describe("one request's time limit; a timeout is retried"),
  })
  .strict()
  .describe("Splunk's HTTP Event Collector, with optional indexer acknowledgement ([sinks](sinks.md#splunk-hec-type-splunk-hec))");

export type SplunkHecSinkConfig = z.infer<typeof splunkHecSinkSchema>;
