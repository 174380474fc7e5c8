import { defineSink } from '../sink-module.js';
import { type SentinelSinkConfig, sentinelSinkSchema } from './config.js';
import { LogsIngestionWriter } from './logs-ingestion-writer.js';

/** Microsoft Sentinel through the Azure Monitor Logs Ingestion API (DCE + DCR stream → table). */
export const sentinelSink = defineSink<SentinelSinkConfig>({
  type: 'sentinel',
  configSchema: sentinelSinkSchema,
  open: async (config, context) => {
    const writer = new LogsIngestionWriter(config, context);
    await writer.checkCredential();
    return writer;
  },
});
