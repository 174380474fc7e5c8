import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { Topology } from '../config/schema.js';
import { tableOf } from '../sinks/sentinel/dcr-template.js';

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

/** The tables a topology's Sentinel sinks of incidents write to: their rows are not events. */
export function incidentTables(topology: Pick<Topology, 'sinks'>): ReadonlySet<string> {
  return new Set(
    topology.sinks.flatMap((s) => (s.type === 'sentinel' && s.input === 'incidents' ? Object.values(s.streams).map(tableOf) : [])),
  );
}

/** Rows of event tables: the emulator's total without the incident tables. */
export function eventRecords(stats: EmulatorStats, incidents: ReadonlySet<string>): number {
  let rows = stats.totalRecords;
  for (const table of incidents) rows -= stats.byTable[table] ?? 0;
  return rows;
}
