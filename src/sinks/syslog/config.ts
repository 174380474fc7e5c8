import { hostname } from 'node:os';
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
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    /** tcp: RFC 6587 octet counting over plain TCP; tls: the same over TLS (RFC 5425) */
    transport: z.enum(['tcp', 'tls']).default('tcp'),
    tls: z
      .object({
        /** CA certificate (PEM file) that signed the receiver's certificate */
        caFile: z.string().optional(),
        /** client certificate and key (PEM files) for receivers that require them */
        certFile: z.string().optional(),
        keyFile: z.string().optional(),
        /** name checked against the receiver's certificate; default: host */
        serverName: z.string().optional(),
        rejectUnauthorized: z.boolean().default(true),
      })
      .strict()
      .default({}),
    facility: z.enum(Object.keys(FACILITIES) as [keyof typeof FACILITIES, ...Array<keyof typeof FACILITIES>]).default('local0'),
    appName: z.string().min(1).max(48).default('siem-stream'),
    /** HOSTNAME field of each message */
    hostname: z.string().min(1).max(255).default(hostname()),
    /** a message above this is sent to the DLQ (rsyslog's default maxMessageSize is 8k) */
    maxMessageBytes: z.number().int().positive().default(65_536),
    /** bytes written per batch */
    maxBatchBytes: z.number().int().positive().default(262_144),
    connectTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

export type SyslogSinkConfig = z.infer<typeof syslogSinkSchema>;
