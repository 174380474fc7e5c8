import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateCertificate } from '../../src/dev/logs-ingestion-emulator/certificate.js';
import { BASIC_CHALLENGE, basicAuthChecker } from '../../src/dev/registry-proxy/basic-auth.js';
import { HEALTH_PATH, type RunningRegistryProxy, startRegistryProxy } from '../../src/dev/registry-proxy/server.js';
import { rootLogger } from '../../src/observability/logger.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the registry proxy basic auth check', () => {
  const check = basicAuthChecker({ username: 'siem-stream', password: 's3cret:with-colon' });

  it('accepts exactly the configured user and password (a colon in the password included)', () => {
    expect(check(basic('siem-stream', 's3cret:with-colon'))).toBe(true);
    expect(check(`basic   ${Buffer.from('siem-stream:s3cret:with-colon').toString('base64')}`)).toBe(true);
  });

  it('refuses a wrong password, a wrong user, a prefix of the password, and a missing or malformed header', () => {
    for (const header of [
      basic('siem-stream', 'wrong'),
      basic('siem-stream', 's3cret'),
      basic('siem-stream', 's3cret:with-colon '),
      basic('other', 's3cret:with-colon'),
      basic('', ''),
      undefined,
      '',
      'Bearer s3cret:with-colon',
      `Basic ${Buffer.from('siem-stream').toString('base64')}`,
      'Basic !!!',
    ]) {
      expect(check(header), String(header)).toBe(false);
    }
  });
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the registry proxy', () => {
  const certificate = loadOrCreateCertificate();
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: string }> = [];
  let upstream: Server;
  let proxy: RunningRegistryProxy;

  beforeAll(async () => {
    // stands in for the registry: answers with what it received
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify({ received: body.length }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    proxy = await startRegistryProxy({
      host: '127.0.0.1',
      port: 0,
      upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      certificate,
      credentials: { username: 'siem-stream', password: 'pw' },
      logger: rootLogger,
    });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: proxy.port, method, path, headers, ca: certificate.certPem }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers 401 with a Basic challenge and passes nothing on without the right credentials', async () => {
    const before = seen.length;
    for (const headers of [{}, { authorization: basic('siem-stream', 'nope') }] as Array<Record<string, string>>) {
      const answer = await send('POST', '/apis/ccompat/v7/subjects/x/versions', headers, '{"schema":"{}"}');
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe(BASIC_CHALLENGE);
    }
    expect(seen.length).toBe(before);
  });

  it('forwards an authenticated request with its body, path and query, but not the credentials', async () => {
    const body = 'x'.repeat(300_000); // larger than one TLS record and one socket chunk
    const answer = await send(
      'POST',
      '/apis/ccompat/v7/subjects/t-value/versions?normalize=true',
      {
        authorization: basic('siem-stream', 'pw'),
        'content-type': 'application/json',
      },
      body,
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ received: body.length });
    const last = seen.at(-1);
    expect(last?.method).toBe('POST');
    expect(last?.url).toBe('/apis/ccompat/v7/subjects/t-value/versions?normalize=true');
    expect(last?.body).toBe(body);
    expect(last?.headers.authorization).toBeUndefined();
  });

  it('answers its health path without credentials by asking the registry', async () => {
    const answer = await send('GET', HEALTH_PATH, {});
    expect(answer.status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/apis/ccompat/v7/subjects');
  });
});
