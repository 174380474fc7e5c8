import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AggregateLogsUploadError, LogsIngestionClient, type LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEmulatorConfig } from '../../src/dev/logs-ingestion-emulator/config.js';
import { isLoopback } from '../../src/dev/logs-ingestion-emulator/control-routes.js';
import {
  type EmulatorConfigInput,
  type EmulatorStatsSnapshot,
  emulatorClientOptions,
  type LogsIngestionEmulator,
  StaticTokenCredential,
  type StoredRecord,
  startLogsIngestionEmulator,
} from '../../src/dev/logs-ingestion-emulator/index.js';

const DCR = 'dcr-00000000000000000000000000000001';
const NET = 'Custom-SiemNetworkSession';
const AUTH = 'Custom-SiemAuthentication';
const DCRS: EmulatorConfigInput['dcrs'] = {
  [DCR]: {
    streams: {
      [NET]: {
        outputTable: 'SiemNetworkSession_CL',
        columns: [
          { name: 'TimeGenerated', type: 'datetime' },
          { name: 'SrcIpAddr', type: 'string' },
          { name: 'DstPortNumber', type: 'int' },
          { name: 'RawData', type: 'string' },
          { name: 'AdditionalFields', type: 'dynamic' },
        ],
      },
      [AUTH]: { outputTable: 'SiemAuthentication_CL', columns: [{ name: 'TimeGenerated', type: 'datetime' }] },
    },
  },
};
const INGEST_PATH = `/dataCollectionRules/${DCR}/streams/${NET}?api-version=2023-01-01`;

const running: LogsIngestionEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function start(extra: Partial<EmulatorConfigInput> = {}): Promise<LogsIngestionEmulator> {
  const emulator = await startLogsIngestionEmulator({ port: 0, dcrs: DCRS, ...extra });
  running.push(emulator);
  return emulator;
}

/** The real SDK client, trusting the emulator's certificate; short retry delays keep the tests quick. */
function client(emulator: LogsIngestionEmulator, options: LogsIngestionClientOptions = {}, token = 'local-dev-token') {
  const retryOptions = { retryDelayInMs: 20, maxRetryDelayInMs: 200, ...options.retryOptions };
  return new LogsIngestionClient(
    emulator.url,
    new StaticTokenCredential(token),
    emulatorClientOptions(emulator.caCertPem, { ...options, retryOptions }),
  );
}

function rows(n: number, extra: Record<string, unknown> = {}) {
  return Array.from({ length: n }, (_, i) => ({
    TimeGenerated: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    SrcIpAddr: `10.0.0.${i % 250}`,
    DstPortNumber: 443,
    ...extra,
  }));
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(emulator: LogsIngestionEmulator, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(new URL(path, emulator.url), { method, headers, ca: emulator.caCertPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = { authorization: 'Bearer local-dev-token', 'content-type': 'application/json' };

async function stats(emulator: LogsIngestionEmulator): Promise<EmulatorStatsSnapshot> {
  return JSON.parse((await raw(emulator, 'GET', '/_emulator/stats')).body) as EmulatorStatsSnapshot;
}

async function storedRecords(emulator: LogsIngestionEmulator, query: string): Promise<StoredRecord[]> {
  return (JSON.parse((await raw(emulator, 'GET', `/_emulator/records?${query}`)).body) as { records: StoredRecord[] }).records;
}

function uploadFailure(err: unknown): { statusCode?: number; code?: string; message: string } {
  expect(err).toBeInstanceOf(AggregateLogsUploadError);
  return (err as AggregateLogsUploadError).errors[0]?.cause as { statusCode?: number; code?: string; message: string };
}

describe('Logs Ingestion emulator with the real LogsIngestionClient', () => {
  it('stores uploaded records with their stream, table and receive time, and serves them back', async () => {
    const emulator = await start();
    await client(emulator).upload(DCR, NET, rows(25));
    await client(emulator).upload(DCR, AUTH, [{ TimeGenerated: '2024-01-01T00:00:00Z' }]);

    const net = await storedRecords(emulator, `stream=${NET}`);
    expect(net).toHaveLength(25);
    expect(net[3]).toMatchObject({ dcrImmutableId: DCR, stream: NET, table: 'SiemNetworkSession_CL', record: { SrcIpAddr: '10.0.0.3' } });
    expect(Date.parse(net[0]?.receivedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(await storedRecords(emulator, 'table=SiemAuthentication_CL')).toHaveLength(1);
    const s = await stats(emulator);
    expect(s).toMatchObject({
      totalRecords: 26,
      byTable: { SiemNetworkSession_CL: 25, SiemAuthentication_CL: 1 },
      byStream: { [NET]: 25 },
    });
    expect(s.requests).toMatchObject({ total: 2, accepted: 2 });
  });

  it('refuses a client that does not trust its certificate: TLS verification stays on', async () => {
    const emulator = await start();
    const untrusting = new LogsIngestionClient(emulator.url, new StaticTokenCredential('t'), { retryOptions: { maxRetries: 0 } });
    const err = await untrusting.upload(DCR, NET, rows(1)).catch((e: unknown) => e);
    expect(uploadFailure(err).message).toMatch(/self[- ]signed certificate/i);
    expect(emulator.store.stats().totalRecords).toBe(0);
  });

  it('splits a large upload into ~1 MB requests (client side) that the emulator all accepts', async () => {
    const emulator = await start();
    const big = rows(2_500, { RawData: 'x'.repeat(1_000) }); // ≈ 2.6 MB of JSON
    await client(emulator).upload(DCR, NET, big);
    const s = await stats(emulator);
    expect(s.totalRecords).toBe(2_500);
    expect(s.requests.accepted).toBeGreaterThanOrEqual(3);
    expect(s.rejections.total).toBe(0);
  });

  it('records undeclared columns and type mismatches per stream, and drops the columns like the service', async () => {
    const emulator = await start();
    await client(emulator).upload(DCR, NET, rows(4, { Undeclared: 'x', DstPortNumber: '443' }));
    const [first] = await storedRecords(emulator, `stream=${NET}`);
    expect(first?.record).not.toHaveProperty('Undeclared');
    expect(first?.droppedColumns).toEqual(['Undeclared']);
    const s = await stats(emulator);
    expect(s.droppedColumns[NET]).toEqual({ Undeclared: 4 });
    expect(s.typeMismatches[NET]?.DstPortNumber).toEqual({ expected: 'int', count: 4, lastActual: 'string' });
  });

  it('answers an unknown stream or DCR with 404 in the Azure error shape', async () => {
    const emulator = await start();
    const failure = uploadFailure(
      await client(emulator)
        .upload(DCR, 'Custom-Nope', rows(1))
        .catch((e: unknown) => e),
    );
    expect(failure).toMatchObject({ statusCode: 404, code: 'InvalidStream' });
    const unknownDcr = await raw(emulator, 'POST', `/dataCollectionRules/dcr-nope/streams/${NET}?api-version=2023-01-01`, '[]', bearer);
    expect(unknownDcr.status).toBe(404);
    expect(JSON.parse(unknownDcr.body)).toEqual({ error: { code: 'NotFound', message: expect.stringContaining('dcr-nope') } });
    expect(unknownDcr.headers['x-ms-error-code']).toBe('NotFound');
  });
});

describe('authentication', () => {
  it('answers 401 without a bearer token, or with a token other than the configured one', async () => {
    const emulator = await start({ token: 'the-one-token' });
    const missing = await raw(emulator, 'POST', INGEST_PATH, '[]', { 'content-type': 'application/json' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(missing.body).error.code).toBe('AuthenticationFailed');
    const basic = await raw(emulator, 'POST', INGEST_PATH, '[]', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(401);

    const wrong = uploadFailure(
      await client(emulator, {}, 'another-token')
        .upload(DCR, NET, rows(1))
        .catch((e: unknown) => e),
    );
    expect(wrong).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    await client(emulator, {}, 'the-one-token').upload(DCR, NET, rows(1));
    expect((await stats(emulator)).rejections.byStatus).toEqual({ '401': 3 });
    expect(emulator.store.stats().totalRecords).toBe(1);
  });
});

describe('request bodies', () => {
  const MB = 1_048_576;
  const jsonOfSize = (bytes: number) => {
    const prefix = '[{"RawData":"';
    const suffix = '"}]';
    return prefix + 'a'.repeat(bytes - prefix.length - suffix.length) + suffix;
  };

  it('answers 413 ContentLengthLimitExceeded above 1,048,576 bytes and accepts exactly 1,048,576', async () => {
    const emulator = await start();
    const over = await raw(emulator, 'POST', INGEST_PATH, jsonOfSize(MB + 1), bearer);
    expect(over.status).toBe(413);
    const error = JSON.parse(over.body).error;
    expect(error.code).toBe('ContentLengthLimitExceeded');
    expect(error.message).toMatch(/^Maximum allowed content length: 1048576 bytes \(1 MB\)\./);
    const atLimit = await raw(emulator, 'POST', INGEST_PATH, jsonOfSize(MB), bearer);
    expect(atLimit.status).toBe(204);
    expect((await stats(emulator)).rejections.byStatus).toEqual({ '413': 1 });
  });

  it('measures a gzip body by its compressed size', async () => {
    const emulator = await start();
    const gzip = { ...bearer, 'content-encoding': 'gzip' };
    const compressible = Buffer.from(jsonOfSize(5 * MB));
    const accepted = await raw(emulator, 'POST', INGEST_PATH, gzipSync(compressible), gzip);
    expect(accepted.status).toBe(204);
    expect(emulator.store.records({ stream: NET })[0]?.record.RawData).toHaveLength(5 * MB - 16);

    const incompressible = gzipSync(Buffer.from(JSON.stringify([{ RawData: randomBytes(1_500_000).toString('base64') }])));
    expect(incompressible.length).toBeGreaterThan(MB);
    expect((await raw(emulator, 'POST', INGEST_PATH, incompressible, gzip)).status).toBe(413);
  });

  it('answers 400 for invalid JSON, a non-array, non-object rows or broken gzip; 415 for other encodings', async () => {
    const emulator = await start();
    const post = (body: Buffer | string, headers: Record<string, string> = {}) =>
      raw(emulator, 'POST', INGEST_PATH, body, { ...bearer, ...headers });
    expect((await post('[{"a":')).status).toBe(400);
    expect((await post('{"a":1}')).status).toBe(400);
    expect((await post('[1,2]')).status).toBe(400);
    expect((await post(Buffer.from('not gzip'), { 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post('[]', { 'content-encoding': 'br' })).status).toBe(415);
    const invalid = await post('[{"a":');
    expect(JSON.parse(invalid.body).error).toMatchObject({ code: 'InvalidPayload' });
    expect((await post('[]')).status).toBe(204);
    expect((await raw(emulator, 'POST', `/dataCollectionRules/${DCR}/streams/${NET}`, '[]', bearer)).status).toBe(400);
  });
});

describe('fault injection', () => {
  it('throttles with 429 + Retry-After, and the client waits and retries', async () => {
    const emulator = await start();
    emulator.faults.throttle(NET, 2, 1);
    const started = Date.now();
    await client(emulator).upload(DCR, NET, rows(3));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    const s = await stats(emulator);
    expect(s.requests.byStream[NET]).toBe(3);
    expect(s.rejections.byStatus).toEqual({ '429': 2 });
    expect(s.totalRecords).toBe(3);
  });

  it('is set through the control API too, and answers 429 in the Azure shape', async () => {
    const emulator = await start();
    const set = await raw(
      emulator,
      'POST',
      '/_emulator/faults',
      JSON.stringify({ stream: NET, throttle: { count: 1, retryAfterSeconds: 7 } }),
    );
    expect(JSON.parse(set.body)).toEqual({ [NET]: { throttle: 1 } });
    const throttled = await raw(emulator, 'POST', INGEST_PATH, '[]', bearer);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect(JSON.parse(throttled.body).error.code).toBe('TooManyRequests');
    expect((await raw(emulator, 'POST', INGEST_PATH, '[]', bearer)).status).toBe(204);
    expect((await raw(emulator, 'POST', '/_emulator/faults', '{"throttle":{"count":0}}')).status).toBe(400);
  });

  it('answers 5xx for the next N requests; the client retries them, then gives up when they outlast its retries', async () => {
    const emulator = await start();
    emulator.faults.failWith(NET, 2, 500);
    await client(emulator).upload(DCR, NET, rows(2));
    expect((await stats(emulator)).rejections.byStatus).toEqual({ '500': 2 });

    emulator.faults.failWith(AUTH, 10, 503);
    const err = await client(emulator, { retryOptions: { maxRetries: 2 } })
      .upload(DCR, AUTH, [{ TimeGenerated: '2024-01-01T00:00:00Z' }])
      .catch((e: unknown) => e);
    expect(uploadFailure(err).statusCode).toBe(503);
    const s = await stats(emulator);
    expect(s.requests.byStream[AUTH]).toBe(3);
    expect(s.byStream).toEqual({ [NET]: 2 });
  });

  it('drops the connection; the client retries, and afterAccept shows the duplicate a lost answer causes', async () => {
    const emulator = await start();
    emulator.faults.dropConnections(NET, 1);
    await client(emulator).upload(DCR, NET, rows(5));
    expect(emulator.store.stats()).toMatchObject({ connectionsDropped: 1, totalRecords: 5 });

    emulator.faults.dropConnections(AUTH, 1, true);
    await client(emulator).upload(DCR, AUTH, [{ TimeGenerated: '2024-01-01T00:00:00Z' }]);
    expect(emulator.store.stats()).toMatchObject({ connectionsDropped: 2, byStream: { [AUTH]: 2 } });
  });

  it('answers 413 to requests over a lowered size limit, and lets smaller ones through', async () => {
    const emulator = await start();
    const set = await raw(emulator, 'POST', '/_emulator/faults', JSON.stringify({ stream: NET, tooLarge: { count: 2, overBytes: 100 } }));
    expect(JSON.parse(set.body)).toEqual({ [NET]: { tooLarge: 2 } });
    const small = JSON.stringify([{ TimeGenerated: '2024-01-01T00:00:00Z' }]);
    expect((await raw(emulator, 'POST', INGEST_PATH, small, bearer)).status).toBe(204);
    const big = JSON.stringify(rows(5));
    const refused = await raw(emulator, 'POST', INGEST_PATH, big, bearer);
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body).error.code).toBe('ContentLengthLimitExceeded');
    expect(JSON.parse(refused.body).error.message).toContain('Maximum allowed content length: 100 bytes');
    expect((await raw(emulator, 'POST', INGEST_PATH, big, bearer)).status).toBe(413);
    expect((await raw(emulator, 'POST', INGEST_PATH, big, bearer)).status).toBe(204);
    expect((await stats(emulator)).rejections.byStatus).toEqual({ '413': 2 });
  });

  it('adds latency per stream, and "*" applies to every stream', async () => {
    const emulator = await start();
    emulator.faults.setLatency('*', 600);
    let started = Date.now();
    await client(emulator).upload(DCR, AUTH, [{ TimeGenerated: '2024-01-01T00:00:00Z' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    emulator.faults.clear();
    started = Date.now();
    await client(emulator).upload(DCR, AUTH, [{ TimeGenerated: '2024-01-01T00:00:00Z' }]);
    expect(Date.now() - started).toBeLessThan(590);
  });
});

describe('control API and persistence', () => {
  it('resets records, counters, faults and the records file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-test-'));
    const recordsFile = join(dir, 'records.jsonl');
    const emulator = await start({ recordsFile });
    await client(emulator).upload(DCR, NET, rows(3));
    emulator.faults.throttle(NET, 5);
    expect(readFileSync(recordsFile, 'utf8').trim().split('\n')).toHaveLength(3);

    expect((await raw(emulator, 'POST', '/_emulator/reset')).status).toBe(200);
    const s = await stats(emulator);
    expect(s).toMatchObject({ totalRecords: 0, byTable: {}, requests: { total: 0 }, pendingFaults: {} });
    expect(await storedRecords(emulator, '')).toEqual([]);
    expect(readFileSync(recordsFile, 'utf8')).toBe('');
  });

  it('appends accepted records to the JSONL file and restores them after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-test-'));
    const recordsFile = join(dir, 'records.jsonl');
    const first = await start({ recordsFile });
    await client(first).upload(DCR, NET, rows(7));
    await first.stop();
    const lines = readFileSync(recordsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as StoredRecord);
    expect(lines.map((l) => l.table)).toEqual(Array(7).fill('SiemNetworkSession_CL'));

    const second = await start({ recordsFile });
    expect(second.store.stats().byTable).toEqual({ SiemNetworkSession_CL: 7 });
  });

  it('persists its certificate in certDir and reuses it on restart', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'emulator-cert-'));
    const first = await start({ certDir });
    expect(first.caCertPath).toBe(join(certDir, 'emulator-cert.pem'));
    expect(existsSync(join(certDir, 'emulator-key.pem'))).toBe(true);
    await first.stop();
    const second = await start({ certDir });
    expect(second.caCertPem).toBe(first.caCertPem);
    await client(second).upload(DCR, NET, rows(1));
    expect((await raw(second, 'GET', '/_emulator/ca.pem')).body).toBe(first.caCertPem);
  });

  it('serves its control API to loopback clients only', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.53'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['10.0.0.5', '::ffff:192.168.1.2', 'fe80::1', undefined].map(isLoopback)).toEqual([false, false, false, false]);
  });

  it('validates its configuration with readable errors', () => {
    expect(() =>
      parseEmulatorConfig({ dcrs: { d: { streams: { s: { outputTable: 'T_CL', columns: [{ name: 'A', type: 'text' }] } } } } }),
    ).toThrow(/dcrs\.d\.streams\.s\.columns\.0\.type/);
    expect(parseEmulatorConfig({ dcrs: {} })).toMatchObject({ port: 0, host: '127.0.0.1', limits: { maxRequestBytes: 1_048_576 } });
  });
});

describe('standalone process (main.ts)', () => {
  it('prints one JSON line with url and caCertPath when listening, serves uploads, and exits on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'emulator-main-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ port: 0, certDir: dir, recordsFile: join(dir, 'records.jsonl'), dcrs: DCRS }));
    // vite-node runs the TypeScript entry the way `node dist/…/main.js` runs the build
    const repo = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(join(repo, 'node_modules/.bin/vite-node'), ['src/dev/logs-ingestion-emulator/main.ts', configFile], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const line = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) done(out.slice(0, out.indexOf('\n')));
        });
        child.on('exit', () => fail(new Error(`exited before listening; stdout: ${out}`)));
      });
      const ready = JSON.parse(line) as { url: string; caCertPath: string };
      expect(ready.caCertPath).toBe(join(dir, 'emulator-cert.pem'));
      const caCertPem = readFileSync(ready.caCertPath, 'utf8');
      const sdk = new LogsIngestionClient(ready.url, new StaticTokenCredential('t'), emulatorClientOptions(caCertPem));
      await sdk.upload(DCR, NET, rows(2));
      expect(readFileSync(join(dir, 'records.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
