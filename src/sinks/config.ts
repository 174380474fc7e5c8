import { z } from 'zod';
import { cloudwatchLogsSinkSchema } from './cloudwatch-logs/config.js';
import { sentinelSinkSchema } from './sentinel/config.js';
import { splunkHecSinkSchema } from './splunk-hec/config.js';
import { syslogSinkSchema } from './syslog/config.js';

/** Every destination's config, told apart by `type`; a new destination adds its schema here. */
export const sinkSchema = z.discriminatedUnion('type', [
  sentinelSinkSchema,
  splunkHecSinkSchema,
  syslogSinkSchema,
  cloudwatchLogsSinkSchema,
]);
export type SinkConfig = z.infer<typeof sinkSchema>;
