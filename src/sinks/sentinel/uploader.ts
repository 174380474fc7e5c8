import type { LogsIngestionClient, LogsUploadFailure } from '@azure/monitor-ingestion';
import { SiemStreamError } from '../../errors.js';
import { retries } from '../../observability/metrics.js';
import { backoffDelayMs, sleep } from '../../util/backoff.js';

export type Row = Record<string, unknown>;

export interface RejectedRow {
  row: Row;
  error: SiemStreamError;
}

const MISCONFIGURED = new Set([401, 403, 404]);
const PERMANENT = new Set([400, 413, 422]);

/**
 * Uploads one stream's rows. The Azure client already splits into ≤1 MB gzip requests and
 * retries within its own policy; on top of that, rows of a failed request are retried here
 * with backoff up to `maxAttempts`, rows the service refuses for good come back as rejected
 * (for the DLQ), and a refused credential, rule or stream stops the sink.
 */
export async function uploadRows(
  client: LogsIngestionClient,
  ruleId: string,
  stream: string,
  rows: Row[],
  options: { maxAttempts: number; stage: string; signal?: AbortSignal },
): Promise<RejectedRow[]> {
  const rejected: RejectedRow[] = [];
  let pending = rows;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const failures: LogsUploadFailure[] = [];
    await client.upload(ruleId, stream, pending, { onError: (f) => failures.push(f) });
    pending = [];
    for (const failure of failures) {
      const status = statusOf(failure.cause);
      if (status !== undefined && MISCONFIGURED.has(status)) {
        throw new SiemStreamError('DESTINATION_MISCONFIGURED', `${stream}: HTTP ${status} ${failure.cause.message}`, {
          stage: options.stage,
          cause: failure.cause,
        });
      }
      if (status !== undefined && PERMANENT.has(status)) {
        const error = new SiemStreamError('DESTINATION_REJECTED', `${stream}: HTTP ${status} ${failure.cause.message}`, {
          stage: options.stage,
          cause: failure.cause,
        });
        rejected.push(...failure.failedLogs.map((row) => ({ row, error })));
      } else {
        pending.push(...failure.failedLogs);
      }
    }
    if (pending.length === 0) break;
    if (attempt >= options.maxAttempts) {
      throw new SiemStreamError('DESTINATION_UNAVAILABLE', `${stream}: ${pending.length} rows still failing after ${attempt} attempts`, {
        stage: options.stage,
        cause: failures[0]?.cause,
      });
    }
    retries.inc({ stage: options.stage, error_code: 'DESTINATION_UNAVAILABLE' });
    await sleep(backoffDelayMs(attempt), options.signal);
  }
  return rejected;
}

function statusOf(error: Error): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
