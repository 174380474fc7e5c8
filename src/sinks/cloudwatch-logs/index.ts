import { defineSink } from '../sink-module.js';
import { CloudWatchLogsWriter } from './cloudwatch-logs-writer.js';
import { type CloudWatchLogsSinkConfig, cloudwatchLogsSinkSchema } from './config.js';

/** Amazon CloudWatch Logs through PutLogEvents, creating log groups and streams as needed. */
export const cloudwatchLogsSink = defineSink<CloudWatchLogsSinkConfig>({
  type: 'cloudwatch-logs',
  configSchema: cloudwatchLogsSinkSchema,
  open: async (config, context) => new CloudWatchLogsWriter(config, context),
});
