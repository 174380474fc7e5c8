import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface EmulatorStats {
  totalRecords: number;
  byTable: Record<string, number>;
  raw: unknown;
}

/** Reads the emulator's control API over HTTPS, trusting its self-signed certificate. */
export async function emulatorGet<T>(baseUrl: string, caFile: string, path: string): Promise<T> {
  const ca = readFileSync(caFile, 'utf8');
  return new Promise<T>((resolve, reject) => {
    const req = request(new URL(path, baseUrl), { method: 'GET', ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 500) >= 300) reject(new Error(`GET ${path}: HTTP ${res.statusCode} ${body}`));
        else resolve(JSON.parse(body) as T);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export async function fetchEmulatorStats(baseUrl: string, caFile: string): Promise<EmulatorStats> {
  const raw = await emulatorGet<{ byTable?: Record<string, number>; totalRecords?: number }>(baseUrl, caFile, '/_emulator/stats');
  const byTable = raw.byTable ?? {};
  return { totalRecords: raw.totalRecords ?? Object.values(byTable).reduce((a, b) => a + b, 0), byTable, raw };
}
