import { defineSink } from '../sink-module.js';
import { cloudwatchLogsSinkSchema } from './config.js';

/** Amazon CloudWatch Logs through PutLogEvents, creating log groups and streams as needed. */
export const cloudwatchLogsSink = defineSink({
  configSchema: cloudwatchLogsSinkSchema,
  open: async (config, context) => new (await import('./cloudwatch-logs-writer.js')).CloudWatchLogsWriter(config, context),
});
