import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface EmulatorStats {
  totalRecords: number;
  byTable: Record<string, number>;
  raw: unknown;
}

/** Reads the emulator's control API over HTTPS, trusting its self-signed certificate. */
export function emulatorGet<T>(baseUrl: string, caFile: string, path: string): Promise<T> {
  return emulatorRequest<T>('GET', baseUrl, caFile, path);
}

/** Sends a JSON body to the control API (faults, reset). */
export function emulatorPost<T>(baseUrl: string, caFile: string, path: string, body: unknown): Promise<T> {
  return emulatorRequest<T>('POST', baseUrl, caFile, path, JSON.stringify(body));
}

function emulatorRequest<T>(method: 'GET' | 'POST', baseUrl: string, caFile: string, path: string, body?: string): Promise<T> {
  const ca = readFileSync(caFile, 'utf8');
  const headers = body === undefined ? {} : { 'content-type': 'application/json' };
  return new Promise<T>((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method, ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text}`));
        else resolve(JSON.parse(text) as T);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function fetchEmulatorStats(baseUrl: string, caFile: string): Promise<EmulatorStats> {
  const raw = await emulatorGet<{ byTable?: Record<string, number>; totalRecords?: number }>(baseUrl, caFile, '/_emulator/stats');
  const byTable = raw.byTable ?? {};
  return { totalRecords: raw.totalRecords ?? Object.values(byTable).reduce((a, b) => a + b, 0), byTable, raw };
}
