import { hostname } from 'node:os';
import { SiemStreamError } from '../../errors.js';
import type { BatchOutcome, SinkContext, SinkRecord, SinkWriter } from '../sink-module.js';
import { FACILITIES, type SyslogSinkConfig } from './config.js';
import { SyslogConnection } from './connection.js';
import { formatMessage, octetCountingFrame } from './rfc5424.js';

/** A receiver whose certificate we do not trust will not become trusted by retrying. */
const CERTIFICATE_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Writes RFC 5424 messages with octet-counting framing over one TCP or TLS connection. Syslog has
 * no application acknowledgement: a batch counts as delivered once the kernel took all of it, so
 * a connection that breaks right after can lose what was in flight (see docs/sinks.md).
 */
export class SyslogWriter implements SinkWriter<Buffer> {
  readonly limits: { maxBatchBytes: number; maxBatchRecords: number };
  private readonly connection: SyslogConnection;
  private readonly header;

  constructor(
    private readonly config: SyslogSinkConfig,
    private readonly context: SinkContext,
  ) {
    this.limits = { maxBatchBytes: config.maxBatchBytes, maxBatchRecords: 10_000 };
    this.connection = new SyslogConnection(config);
    this.header = {
      facility: FACILITIES[config.facility],
      hostname: config.hostname ?? hostname(),
      appName: config.appName,
      procId: String(process.pid),
    };
  }

  encode(record: SinkRecord) {
    const frame = octetCountingFrame(formatMessage(record.event, this.header));
    if (frame.length > this.config.maxMessageBytes) {
      throw new SiemStreamError(
        'RECORD_TOO_LARGE',
        `syslog message of ${frame.length} bytes is over maxMessageBytes ${this.config.maxMessageBytes}`,
        {
          stage: this.context.stage,
        },
      );
    }
    return { batchKey: 'syslog', payload: frame, bytes: frame.length };
  }

  async write(_key: string, frames: Buffer[], signal: AbortSignal): Promise<BatchOutcome> {
    try {
      await this.connection.write(Buffer.concat(frames), signal);
      return { kind: 'ok' };
    } catch (cause) {
      const { host, port } = this.config;
      const message = `syslog ${this.config.transport}://${host}:${port}: ${(cause as Error).message}`;
      if (CERTIFICATE_ERRORS.has((cause as { code?: string }).code ?? '')) {
        throw new SiemStreamError('DESTINATION_MISCONFIGURED', message, { stage: this.context.stage, cause });
      }
      return { kind: 'retry', error: new SiemStreamError('DESTINATION_UNAVAILABLE', message, { stage: this.context.stage, cause }) };
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
