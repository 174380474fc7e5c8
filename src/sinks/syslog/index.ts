import { defineSink } from '../sink-module.js';
import { type SyslogSinkConfig, syslogSinkSchema } from './config.js';
import { SyslogWriter } from './syslog-writer.js';

/** Syslog RFC 5424 over TCP (octet counting) or TLS. */
export const syslogSink = defineSink<SyslogSinkConfig>({
  type: 'syslog',
  configSchema: syslogSinkSchema,
  open: async (config, context) => new SyslogWriter(config, context),
});
