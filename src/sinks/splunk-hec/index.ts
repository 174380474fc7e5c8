import { defineSink } from '../sink-module.js';
import { type SplunkHecSinkConfig, splunkHecSinkSchema } from './config.js';
import { HecWriter } from './hec-writer.js';

/** Splunk's HTTP Event Collector, with optional indexer acknowledgement. */
export const splunkHecSink = defineSink<SplunkHecSinkConfig>({
  type: 'splunk-hec',
  configSchema: splunkHecSinkSchema,
  open: async (config, context) => new HecWriter(config, context),
});
