import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../observability/logger.js';
import { checkBearer } from './bearer-auth.js';
import { checkRecord } from './column-check.js';
import type { EmulatorConfig } from './config.js';
import type { FaultAction, FaultInjector } from './faults.js';
import type { RecordStore } from './record-store.js';
import { decodeBody, parseRecords, readBody } from './request-body.js';
import { sendAzureError, sendNoContent } from './responses.js';

export interface IngestionContext {
  config: EmulatorConfig;
  store: RecordStore;
  faults: FaultInjector;
  logger: Logger;
}

/** `POST /dataCollectionRules/{dcrImmutableId}/streams/{streamName}?api-version=…` */
export const INGESTION_PATH = /^\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/;

/** Versions the Logs Ingestion REST API has published. */
const API_VERSIONS = new Set(['2023-01-01', '2021-11-01-preview']);

export async function handleIngestion(req: IncomingMessage, res: ServerResponse, url: URL, ctx: IngestionContext): Promise<void> {
  const [, rawDcr = '', rawStream = ''] = INGESTION_PATH.exec(url.pathname) ?? [];
  const dcrId = decodeURIComponent(rawDcr);
  const streamName = decodeURIComponent(rawStream);
  const { store, config, faults } = ctx;
  store.countRequest(streamName);
  const reject = (status: number, code: string, message: string, headers?: Record<string, string>) => {
    store.countRejection(status);
    ctx.logger.debug({ status, code, dcrId, stream: streamName }, message);
    sendAzureError(res, status, code, message, headers);
    req.resume();
  };

  if (req.method !== 'POST') return reject(405, 'MethodNotAllowed', `${req.method} is not supported here; use POST`, { allow: 'POST' });
  const auth = checkBearer(req.headers.authorization, config);
  if (!auth.ok) return reject(auth.status, auth.code, auth.message, { 'www-authenticate': 'Bearer' });
  const apiVersion = url.searchParams.get('api-version');
  if (!apiVersion) return reject(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required.');
  if (!API_VERSIONS.has(apiVersion)) {
    return reject(
      400,
      'UnsupportedApiVersion',
      `api-version '${apiVersion}' is not supported; use one of ${[...API_VERSIONS].join(', ')}.`,
    );
  }
  const dcr = config.dcrs[dcrId];
  if (!dcr) return reject(404, 'NotFound', `Data collection rule with immutable Id '${dcrId}' not found.`);
  const stream = dcr.streams[streamName];
  if (!stream) return reject(404, 'InvalidStream', `Stream '${streamName}' is not declared in data collection rule '${dcrId}'.`);

  const read = await readBody(req, config.limits.maxRequestBytes);
  if (read.kind === 'tooLarge')
    return reject(413, 'ContentLengthLimitExceeded', tooLargeMessage(config.limits.maxRequestBytes, read.bytes));

  const lowered = faults.takeTooLarge(streamName, read.body.length);
  if (lowered !== undefined) return reject(413, 'ContentLengthLimitExceeded', tooLargeMessage(lowered, read.body.length));

  const latency = faults.latencyFor(streamName);
  if (latency > 0) await sleep(latency);
  const fault = faults.take(streamName);
  if (fault && fault.kind !== 'dropConnection') return answerFault(fault, reject);
  if (fault?.kind === 'dropConnection' && !fault.afterAccept) return dropConnection(req, ctx, streamName);

  const decoded = await decodeBody(read.body, req.headers['content-encoding'], config.limits.maxDecompressedBytes);
  if (decoded.kind === 'unsupported')
    return reject(415, 'UnsupportedContentEncoding', `Content-Encoding '${decoded.encoding}' is not supported; use gzip or none.`);
  if (decoded.kind === 'invalid') return reject(400, 'InvalidContentEncoding', decoded.message);
  if (decoded.kind === 'tooLarge') {
    return reject(413, 'ContentLengthLimitExceeded', `The decompressed body exceeds the configured ${decoded.limit} bytes.`);
  }
  const parsed = parseRecords(decoded.text);
  if (parsed.kind === 'invalid') return reject(400, 'InvalidPayload', parsed.message);

  const records = parsed.records.map((record) => ({ record, check: checkRecord(record, stream.columns) }));
  store.accept({ dcrImmutableId: dcrId, stream: streamName, table: stream.outputTable, records, caller: auth.caller });
  ctx.logger.debug({ dcrId, stream: streamName, records: records.length, wireBytes: read.body.length, bytes: decoded.bytes }, 'accepted');
  if (fault?.kind === 'dropConnection') return dropConnection(req, ctx, streamName);
  sendNoContent(res);
}

/** The wording of the live service's answer, so code that matches on the message behaves the same. */
function tooLargeMessage(limit: number, bytes: number): string {
  const mb = limit === 1_048_576 ? ' (1 MB)' : '';
  return `Maximum allowed content length: ${limit} bytes${mb}. Provided content length: ${bytes} bytes.`;
}

function answerFault(
  fault: Exclude<FaultAction, { kind: 'dropConnection' }>,
  reject: (status: number, code: string, message: string, headers?: Record<string, string>) => void,
): void {
  if (fault.kind === 'throttle') {
    const message = `Too many requests (injected). Retry after ${fault.retryAfterSeconds} seconds.`;
    reject(429, 'TooManyRequests', message, { 'retry-after': String(fault.retryAfterSeconds) });
    return;
  }
  const headers = fault.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(fault.retryAfterSeconds) };
  const code = { 400: 'InvalidPayload', 422: 'UnprocessableEntity', 503: 'ServiceUnavailable' }[fault.status] ?? 'InternalServerError';
  reject(fault.status, code, `The service could not process the request (injected ${fault.status}).`, headers);
}

function dropConnection(req: IncomingMessage, ctx: IngestionContext, stream: string): void {
  ctx.store.countDroppedConnection();
  ctx.logger.debug({ stream }, 'dropping the connection (injected)');
  req.socket.destroy();
}
