import { z } from 'zod';
import { sinkCommonFields } from '../common-config.js';

export const FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

export const syslogSinkSchema = z
  .object({
    type: z.literal('syslog'),
    ...sinkCommonFields,
    host: z.string().min(1).describe("the receiver's host"),
    port: z.number().int().min(1).max(65_535).describe("the receiver's port"),
    transport: z
      .enum(['tcp', 'tls'])
      .default('tcp')
      .describe('`tcp`: RFC 6587 octet counting over plain TCP; `tls`: the same over TLS (RFC 5425)'),
    tls: z
      .object({
        caFile: z.string().optional().describe("CA certificate (PEM file) that signed the receiver's certificate"),
        certFile: z.string().optional().describe('client certificate (PEM file), for receivers that require one'),
        keyFile: z.string().optional().describe("the client certificate's key (PEM file)"),
        serverName: z.string().optional().describe("name checked against the receiver's certificate; default: `host`"),
        rejectUnauthorized: z.boolean().default(true).describe("verify the receiver's certificate"),
      })
      .strict()
      .default({})
      .describe('trust and client certificate with `transport: tls`'),
    facility: z
      .enum(Object.keys(FACILITIES) as [keyof typeof FACILITIES, ...Array<keyof typeof FACILITIES>])
      .default('local0')
      .describe('PRI is `facility × 8 + severity`, severity from `EventSeverity` (High 3, Medium 4, Low 5, otherwise 6)'),
    appName: z.string().min(1).max(48).default('siem-stream').describe('APP-NAME field of each message'),
    hostname: z.string().min(1).max(255).optional().describe("HOSTNAME field of each message; default: this machine's host name"),
    maxMessageBytes: z
      .number()
      .int()
      .positive()
      .default(65_536)
      .describe(
        'a larger message goes to the DLQ (`RECORD_TOO_LARGE`); set the receiver\'s limit to match (rsyslog: `global(maxMessageSize="64k")`, default 8k)',
      ),
    maxBatchBytes: z.number().int().positive().default(262_144).describe('bytes written per batch'),
    connectTimeoutMs: z.number().int().positive().default(10_000).describe('time allowed to open the connection'),
  })
  .strict()
  .describe('any RFC 5424 receiver (rsyslog, syslog-ng, …) over TCP or TLS ([sinks](sinks.md#syslog-type-syslog))');

export type SyslogSinkConfig = z.infer<typeof syslogSinkSchema>;
