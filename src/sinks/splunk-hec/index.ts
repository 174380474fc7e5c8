import { defineSink } from '../sink-module.js';
import { splunkHecSinkSchema } from './config.js';

/** Splunk's HTTP Event Collector, with optional indexer acknowledgement. */
export const splunkHecSink = defineSink({
  configSchema: splunkHecSinkSchema,
  open: async (config, context) => new (await import('./hec-writer.js')).HecWriter(config, context),
});
