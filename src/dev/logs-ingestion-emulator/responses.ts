import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/**
 * An error in the Azure shape: `{"error":{"code","message"}}` plus the `x-ms-error-code` header
 * the Logs Ingestion API spec declares on every error answer.
 */
export function sendAzureError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-ms-error-code': code,
    'x-ms-request-id': randomUUID(),
    ...headers,
  });
  res.end(body);
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, { 'x-ms-request-id': randomUUID() });
  res.end();
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
