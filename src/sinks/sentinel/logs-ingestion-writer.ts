import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AggregateLogsUploadError, LogsIngestionClient, type LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import { isSiemStreamError, SiemStreamError } from '../../errors.js';
import { withRetry } from '../../util/retry.js';
import { retryAfterMs } from '../retry-after.js';
import { sinkInputSchema } from '../sink-input.js';
import type { BatchOutcome, SinkContext, SinkRecord, SinkWriter } from '../sink-module.js';
import { dcrColumns } from './columns.js';
import type { SentinelSinkConfig } from './config.js';
import { createCredential } from './credential.js';
import { StreamGuard } from './stream-guard.js';

type Row = Record<string, unknown>;

/**
 * The SDK sends one request per chunk whose summed element JSON stays under 1,000,000 bytes; a
 * batch within this limit is therefore exactly one gzip request, and the body (elements + commas +
 * brackets) stays under the API's 1,048,576-byte limit.
 */
export const SDK_CHUNK_BYTES = 999_999;

/** Uploads batches to the Logs Ingestion API, one request per batch; the shared runtime retries. */
export class LogsIngestionWriter implements SinkWriter<Row> {
  readonly limits = { maxBatchBytes: SDK_CHUNK_BYTES, maxBatchRecords: 50_000 };
  private readonly client: LogsIngestionClient;
  private readonly credential: TokenCredential;
  private readonly guard: StreamGuard;

  constructor(
    private readonly config: SentinelSinkConfig,
    private readonly context: SinkContext,
  ) {
    const caPem = config.caFile ? readFileSync(config.caFile, 'utf8') : undefined;
    this.credential = createCredential(config.credential, { ...(caPem ? { caPem } : {}), stage: context.stage });
    this.client = new LogsIngestionClient(config.endpoint, this.credential, clientOptions(config, caPem));
    this.guard = new StreamGuard(config, dcrColumns(sinkInputSchema(config.input)), context);
  }

  /**
   * Gets a first token before the sink consumes anything, so a refused credential stops the stage
   * at start (DESTINATION_MISCONFIGURED) and an identity provider that is down is retried with the
   * sink's retry policy. The SDK caches the token, so the first upload does not ask again.
   */
  async checkCredential(): Promise<void> {
    const scope = `${this.config.audience.replace(/\/$/, '')}/.default`;
    const { stage, logger } = this.context;
    const token: AccessToken | null = await withRetry(() => this.credential.getToken(scope), this.config.retry, {
      stage,
      what: 'getting a token for the Logs Ingestion API',
      logger,
    });
    if (!token) throw new SiemStreamError('DESTINATION_MISCONFIGURED', `${this.config.credential.type}: no token for ${scope}`, { stage });
    logger.info({ credential: this.config.credential.type, expiresOn: new Date(token.expiresOnTimestamp).toISOString() }, 'credential ok');
  }

  encode(record: SinkRecord) {
    const schema = record.event.EventSchema;
    const stream =
      (Object.hasOwn(this.config.streams, schema) ? this.config.streams[schema] : undefined) ?? (this.config.streams['*'] as string);
    const { row, bytes } = this.guard.rowFor(stream, record.event as unknown as Row);
    return { batchKey: stream, payload: row, bytes };
  }

  async write(stream: string, rows: Row[], signal: AbortSignal): Promise<BatchOutcome> {
    try {
      await this.client.upload(this.config.dcrImmutableId, stream, rows, {
        maxConcurrency: 1,
        abortSignal: AbortSignal.any([signal, AbortSignal.timeout(this.config.requestTimeoutMs)]),
      });
      return { kind: 'ok' };
    } catch (error) {
      const cause = error instanceof AggregateLogsUploadError ? (error.errors[0]?.cause ?? error) : error;
      return this.outcomeOf(stream, cause as Error);
    }
  }

  async close(): Promise<void> {}

  private outcomeOf(stream: string, cause: Error): BatchOutcome {
    // the credential's own failure (credential.ts): refused stops the sink, unavailable is retried
    if (isSiemStreamError(cause)) {
      if (!cause.retriable) throw cause;
      return { kind: 'retry', error: cause };
    }
    const status = (cause as { statusCode?: number }).statusCode;
    const stage = this.context.stage;
    const message = `${stream}: ${status === undefined ? '' : `HTTP ${status} `}${cause.message}`;
    if (status === 401 || status === 403 || status === 404)
      throw new SiemStreamError('DESTINATION_MISCONFIGURED', message, { stage, cause });
    if (status === 413) return { kind: 'too-large', error: new SiemStreamError('RECORD_TOO_LARGE', message, { stage, cause }) };
    const retriable = status === undefined || status === 408 || status === 429 || status >= 500;
    if (!retriable) return { kind: 'reject', error: new SiemStreamError('DESTINATION_REJECTED', message, { stage, cause }) };
    const headers = (cause as { response?: { headers?: { get(name: string): string | undefined } } }).response?.headers;
    const after = retryAfterMs((name) => headers?.get(name));
    const error = new SiemStreamError('DESTINATION_UNAVAILABLE', message, { stage, cause });
    return after === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfterMs: after };
  }
}

function clientOptions(config: SentinelSinkConfig, caPem: string | undefined): LogsIngestionClientOptions {
  // the shared runtime owns retries, so Retry-After, 413 splitting and the DLQ work the same for every sink
  const options: LogsIngestionClientOptions = { audience: config.audience, retryOptions: { maxRetries: 0 } };
  if (caPem) {
    // Trust an extra CA (the local emulator's self-signed certificate) for this client only.
    (options as { tlsOptions?: { ca: string[] } }).tlsOptions = { ca: [...rootCertificates, caPem] };
  }
  return options;
}
