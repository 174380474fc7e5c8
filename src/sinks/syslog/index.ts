import { defineSink } from '../sink-module.js';
import { syslogSinkSchema } from './config.js';

/** Syslog RFC 5424 over TCP (octet counting) or TLS. */
export const syslogSink = defineSink({
  configSchema: syslogSinkSchema,
  open: async (config, context) => new (await import('./syslog-writer.js')).SyslogWriter(config, context),
});
