import { defineSink } from '../sink-module.js';
import { sentinelSinkSchema } from './config.js';

/** Microsoft Sentinel through the Azure Monitor Logs Ingestion API (DCE + DCR stream → table). */
export const sentinelSink = defineSink({
  configSchema: sentinelSinkSchema,
  open: async (config, context) => {
    const writer = new (await import('./logs-ingestion-writer.js')).LogsIngestionWriter(config, context);
    await writer.checkCredential();
    return writer;
  },
});
