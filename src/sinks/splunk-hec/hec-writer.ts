import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { SiemStreamError } from '../../errors.js';
import { sleep } from '../../util/backoff.js';
import { type HttpAnswer, HttpClient } from '../http-request.js';
import { retryAfterMs } from '../retry-after.js';
import type { BatchOutcome, SinkContext, SinkRecord, SinkWriter } from '../sink-module.js';
import type { SplunkHecSinkConfig } from './config.js';

const gzipAsync = promisify(gzip);

/** HEC answers `{"text","code"}`; these codes mean the data itself is bad (the request would never pass). */
const DATA_ERRORS = new Set([5, 6, 7, 12, 13, 14, 15, 16, 27]);

/**
 * Sends batches to Splunk's HTTP Event Collector (`/services/collector/event`, newline-separated
 * JSON events). With indexer acknowledgement a batch counts as delivered only when
 * `/services/collector/ack` reports its ackId as indexed.
 */
export class HecWriter implements SinkWriter<string> {
  readonly limits: { maxBatchBytes: number; maxBatchRecords: number };
  private readonly http: HttpClient;
  private readonly channel: string;

  constructor(
    private readonly config: SplunkHecSinkConfig,
    private readonly context: SinkContext,
  ) {
    this.limits = { maxBatchBytes: config.maxRequestBytes, maxBatchRecords: 100_000 };
    this.http = new HttpClient(config.url, {
      ...(config.caFile ? { ca: readFileSync(config.caFile, 'utf8') } : {}),
      rejectUnauthorized: config.rejectUnauthorized,
    });
    this.channel = config.channel ?? randomUUID();
  }

  encode(record: SinkRecord) {
    const { event } = record;
    const line = JSON.stringify({
      time: event.TimeGenerated / 1_000,
      host: event.SourceBucket,
      source: this.config.source,
      sourcetype: this.config.sourcetype,
      ...(this.config.index ? { index: this.config.index } : {}),
      event,
      fields: { EventId: event.EventId, EventSchema: event.EventSchema },
    });
    return { batchKey: this.config.index ?? 'default', payload: line, bytes: Buffer.byteLength(line, 'utf8') + 1 };
  }

  async write(_index: string, lines: string[], signal: AbortSignal): Promise<BatchOutcome> {
    const plain = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const body = this.config.gzip ? await gzipAsync(plain) : plain;
    const headers: Record<string, string> = {
      authorization: `Splunk ${this.config.token}`,
      'content-type': 'application/json',
      'x-splunk-request-channel': this.channel,
      ...(this.config.gzip ? { 'content-encoding': 'gzip' } : {}),
    };
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.config.requestTimeoutMs)]);
    const answer = await this.http.send('POST', '/services/collector/event', headers, body, timeout);
    if (answer.status !== 200) return this.outcomeOf(answer);
    if (!this.config.ack.enabled) return { kind: 'ok' };
    const ackId = (parse(answer.body) as { ackId?: number }).ackId;
    if (typeof ackId !== 'number') {
      throw new SiemStreamError(
        'DESTINATION_MISCONFIGURED',
        'ack.enabled is set but HEC returned no ackId: enable indexer acknowledgement on the token',
        {
          stage: this.context.stage,
        },
      );
    }
    return this.awaitAck(ackId, headers, signal);
  }

  async close(): Promise<void> {
    this.http.close();
  }

  private async awaitAck(ackId: number, headers: Record<string, string>, signal: AbortSignal): Promise<BatchOutcome> {
    const deadline = Date.now() + this.config.ack.timeoutMs;
    const ackHeaders = {
      authorization: headers.authorization as string,
      'x-splunk-request-channel': this.channel,
      'content-type': 'application/json',
    };
    while (Date.now() < deadline && !signal.aborted) {
      await sleep(this.config.ack.pollIntervalMs, signal);
      const answer = await this.http.send(
        'POST',
        '/services/collector/ack',
        ackHeaders,
        Buffer.from(JSON.stringify({ acks: [ackId] })),
        signal,
      );
      if (answer.status !== 200) return this.outcomeOf(answer);
      if ((parse(answer.body) as { acks?: Record<string, boolean> }).acks?.[String(ackId)] === true) return { kind: 'ok' };
    }
    return {
      kind: 'retry',
      error: new SiemStreamError('DESTINATION_UNAVAILABLE', `ackId ${ackId} not acknowledged within ${this.config.ack.timeoutMs} ms`, {
        stage: this.context.stage,
      }),
    };
  }

  private outcomeOf(answer: HttpAnswer): BatchOutcome {
    const stage = this.context.stage;
    const reply = parse(answer.body) as { text?: string; code?: number };
    const message = `HEC HTTP ${answer.status}: ${reply.text ?? answer.body.toString('utf8').slice(0, 200)} (code ${reply.code ?? '-'})`;
    if (answer.status === 401 || answer.status === 403 || answer.status === 404 || (answer.status === 400 && reply.code === 10)) {
      throw new SiemStreamError('DESTINATION_MISCONFIGURED', message, { stage });
    }
    if (answer.status === 413) return { kind: 'too-large', error: new SiemStreamError('RECORD_TOO_LARGE', message, { stage }) };
    if (answer.status === 400 && reply.code !== undefined && DATA_ERRORS.has(reply.code)) {
      return { kind: 'reject', error: new SiemStreamError('DESTINATION_REJECTED', message, { stage }) };
    }
    const error = new SiemStreamError('DESTINATION_UNAVAILABLE', message, { stage });
    const after = retryAfterMs((name) => {
      const v = answer.headers[name];
      return Array.isArray(v) ? v[0] : v;
    });
    if (answer.status === 429 || answer.status >= 500)
      return after === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs: after };
    return { kind: 'reject', error: new SiemStreamError('DESTINATION_REJECTED', message, { stage }) };
  }
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return {};
  }
}
