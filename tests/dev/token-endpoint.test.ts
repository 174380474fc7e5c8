import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { TokenCredential } from '@azure/core-auth';
import { ClientSecretCredential, WorkloadIdentityCredential } from '@azure/identity';
import { AggregateLogsUploadError, LogsIngestionClient } from '@azure/monitor-ingestion';
import { afterEach, describe, expect, it } from 'vitest';
import { createSigningKey, decodeJwtClaims, jwksOf, signJwt, verifyJwt } from '../../src/dev/jwt/jwt.js';
import { STATIC_TOKEN_CALLER } from '../../src/dev/logs-ingestion-emulator/bearer-auth.js';
import {
  emulatorClientOptions,
  type LogsIngestionEmulator,
  startLogsIngestionEmulator,
} from '../../src/dev/logs-ingestion-emulator/index.js';
import { objectIdFor, startTokenEndpoint, type TokenEndpoint } from '../../src/dev/token-endpoint/index.js';
import { StaticTokenCredential } from '../../src/sinks/sentinel/credential.js';

const TENANT = '72f988bf-0000-4000-8000-000000000001';
const APP = 'b7c1a7e2-0000-4000-8000-00000000a001';
const SECRET = 'local~Secret.0123456789abcdefghij';
const WORKLOAD_APP = 'b7c1a7e2-0000-4000-8000-00000000a002';
const K8S_ISSUER = 'https://oidc.cluster.local/issuer';
const SUBJECT = 'system:serviceaccount:siem:siem-stream';
const DCR = 'dcr-00000000000000000000000000000001';
const STREAM = 'Custom-SiemEvent';
const SCOPE = 'https://monitor.azure.com/.default';
const k8sKey = createSigningKey('k8s-1');

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function stack(emulatorExtra: Record<string, unknown> = {}): Promise<{ endpoint: TokenEndpoint; emulator: LogsIngestionEmulator }> {
  const certDir = mkdtempSync(join(tmpdir(), 'siem-token-'));
  const endpoint = await startTokenEndpoint({
    certDir,
    tenantId: TENANT,
    clients: [
      { clientId: APP, secrets: [SECRET] },
      { clientId: WORKLOAD_APP, federatedCredentials: [{ issuer: K8S_ISSUER, subject: SUBJECT, jwks: jwksOf(k8sKey) }] },
    ],
  });
  stops.push(() => endpoint.stop());
  const emulator = await startLogsIngestionEmulator({
    certDir, // one certificate for both: one caFile trusts them
    dcrs: { [DCR]: { streams: { [STREAM]: { outputTable: 'SiemEvent_CL', columns: [{ name: 'TimeGenerated', type: 'datetime' }] } } } },
    entraId: { jwks: endpoint.jwks, issuers: [endpoint.issuer], tenantId: TENANT },
    ...emulatorExtra,
  });
  stops.push(() => emulator.stop());
  return { endpoint, emulator };
}

const trust = (pem: string) => ({ tlsOptions: { ca: [...rootCertificates, pem] } });

function upload(emulator: LogsIngestionEmulator, credential: TokenCredential) {
  const client = new LogsIngestionClient(
    emulator.url,
    credential,
    emulatorClientOptions(emulator.caCertPem, { retryOptions: { maxRetries: 0 } }),
  );
  return client.upload(DCR, STREAM, [{ TimeGenerated: new Date().toISOString() }]);
}

async function refusal(emulator: LogsIngestionEmulator, token: string) {
  const error = await upload(emulator, new StaticTokenCredential(token)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AggregateLogsUploadError);
  return (error as AggregateLogsUploadError).errors[0]?.cause as { statusCode?: number; code?: string };
}

function serviceAccountToken(claims: Record<string, unknown> = {}, key = k8sKey): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ iss: K8S_ISSUER, sub: SUBJECT, aud: ['api://AzureADTokenExchange'], iat: now, exp: now + 3600, ...claims }, key);
}

describe('JWT helper', { timeout: 30_000 }, () => {
  it('verifies its own RS256 tokens and names what is wrong with the others', () => {
    const key = createSigningKey();
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({ sub: 'x', exp: now + 60 }, key);
    expect(verifyJwt(token, jwksOf(key))).toMatchObject({ ok: true, claims: { sub: 'x' } });
    expect(verifyJwt(token, jwksOf(createSigningKey()))).toEqual({ ok: false, problem: 'unknown-key' });
    expect(verifyJwt(signJwt({ sub: 'x', exp: now + 60 }, createSigningKey(key.kid)), jwksOf(key))).toEqual({
      ok: false,
      problem: 'bad-signature',
    });
    expect(verifyJwt(signJwt({ sub: 'x', exp: now - 10 }, key), jwksOf(key), { clockSkewSeconds: 0 })).toEqual({
      ok: false,
      problem: 'expired',
    });
    expect(verifyJwt('not.a.jwt', jwksOf(key))).toEqual({ ok: false, problem: 'malformed' });
    const payload = token.split('.')[1];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${payload}.`;
    expect(verifyJwt(none, jwksOf(key))).toEqual({ ok: false, problem: 'unsupported-algorithm' });
  });
});

describe('local token endpoint with @azure/identity, tokens verified by the Logs Ingestion emulator', { timeout: 60_000 }, () => {
  it('client secret: ClientSecretCredential gets a token (authority-host override) that the emulator verifies', async () => {
    const { endpoint, emulator } = await stack();
    const credential = new ClientSecretCredential(TENANT, APP, SECRET, {
      authorityHost: endpoint.url,
      disableInstanceDiscovery: true,
      ...trust(endpoint.caCertPem),
    });
    await upload(emulator, credential);
    expect(emulator.store.stats().requests.byCaller).toEqual({ [APP]: 1 });
    expect(endpoint.issued).toHaveLength(1);
    expect(endpoint.issued[0]).toMatchObject({ clientId: APP, grant: 'client_secret', resource: 'https://monitor.azure.com' });
    expect(decodeJwtClaims(endpoint.issued[0]?.token ?? '')).toMatchObject({
      aud: 'https://monitor.azure.com',
      iss: endpoint.issuer,
      tid: TENANT,
      appid: APP,
      oid: objectIdFor(APP),
      idtyp: 'app',
    });
  });

  it('client secret: a wrong secret is refused with invalid_client (AADSTS7000215), and no token is issued', async () => {
    const { endpoint } = await stack();
    const credential = new ClientSecretCredential(TENANT, APP, 'not-the-secret', {
      authorityHost: endpoint.url,
      disableInstanceDiscovery: true,
      ...trust(endpoint.caCertPem),
    });
    await expect(credential.getToken(SCOPE)).rejects.toThrow(/invalid_client.*AADSTS7000215/s);
    expect(endpoint.refusals.map((r) => [r.status, r.error, r.aadsts])).toEqual([[401, 'invalid_client', 7000215]]);
    expect(endpoint.issued).toHaveLength(0);
  });

  it('workload identity: the federated token file is exchanged for an access token the emulator verifies', async () => {
    const { endpoint, emulator } = await stack();
    const tokenFile = join(mkdtempSync(join(tmpdir(), 'siem-sa-')), 'token');
    writeFileSync(tokenFile, serviceAccountToken());
    const credential = new WorkloadIdentityCredential({
      tenantId: TENANT,
      clientId: WORKLOAD_APP,
      tokenFilePath: tokenFile,
      authorityHost: endpoint.url,
      disableInstanceDiscovery: true,
      ...trust(endpoint.caCertPem),
    });
    await upload(emulator, credential);
    expect(emulator.store.stats().requests.byCaller).toEqual({ [WORKLOAD_APP]: 1 });
    expect(endpoint.issued.map((i) => [i.clientId, i.grant])).toEqual([[WORKLOAD_APP, 'client_assertion']]);

    // another service account, a key the cluster never published, an expired projection: all refused
    for (const bad of [
      serviceAccountToken({ sub: 'system:serviceaccount:other:app' }),
      serviceAccountToken({}, createSigningKey(k8sKey.kid)),
      serviceAccountToken({ exp: Math.floor(Date.now() / 1000) - 60 }),
    ]) {
      const file = join(mkdtempSync(join(tmpdir(), 'siem-sa-')), 'token');
      writeFileSync(file, bad);
      const refused = new WorkloadIdentityCredential({
        tenantId: TENANT,
        clientId: WORKLOAD_APP,
        tokenFilePath: file,
        authorityHost: endpoint.url,
        disableInstanceDiscovery: true,
        ...trust(endpoint.caCertPem),
      });
      await expect(refused.getToken(SCOPE)).rejects.toThrow(/invalid_client/);
    }
    expect(endpoint.refusals.map((r) => r.aadsts)).toEqual([700211, 700211, 700024]);
  });

  it('the emulator answers a token it cannot trust as Azure Monitor does: 403 invalid, audience or tenant; 401 expired', async () => {
    const { endpoint, emulator } = await stack({ token: 'static-dev-token' });
    const now = Math.floor(Date.now() / 1000);
    const good = decodeJwtClaims(
      (
        await new ClientSecretCredential(TENANT, APP, SECRET, {
          authorityHost: endpoint.url,
          disableInstanceDiscovery: true,
          ...trust(endpoint.caCertPem),
        }).getToken(SCOPE)
      )?.token ?? '',
    );
    const foreign = signJwt({ ...good, exp: now + 600 }, createSigningKey());
    expect(await refusal(emulator, foreign)).toMatchObject({ statusCode: 403, code: 'InvalidAuthenticationToken' });
    expect(await refusal(emulator, 'opaque-but-not-the-static-one')).toMatchObject({ statusCode: 403, code: 'InvalidAuthenticationToken' });
    // the static token is still accepted next to verified ones, as the default topology uses it
    await upload(emulator, new StaticTokenCredential('static-dev-token'));
    expect(emulator.store.stats().requests.byCaller).toEqual({ [STATIC_TOKEN_CALLER]: 1 });
    expect(emulator.store.stats().rejections.byStatus).toEqual({ '403': 2 });
  });

  it('checks audience, tenant, expiry and which apps hold the role on the DCR', async () => {
    const endpoint = await startTokenEndpoint({ tenantId: TENANT, clients: [{ clientId: APP, secrets: [SECRET] }] });
    stops.push(() => endpoint.stop());
    // the emulator trusts the keys of a signer of the test's own that mints every claim it needs
    const signer = createSigningKey();
    const emulator = await startLogsIngestionEmulator({
      dcrs: { [DCR]: { streams: { [STREAM]: { outputTable: 'SiemEvent_CL', columns: [{ name: 'TimeGenerated', type: 'datetime' }] } } } },
      entraId: { jwks: jwksOf(signer), issuers: [endpoint.issuer], tenantId: TENANT, allowedClients: [APP], clockSkewSeconds: 0 },
    });
    stops.push(() => emulator.stop());
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: endpoint.issuer, tid: TENANT, aud: 'https://monitor.azure.com', appid: APP, iat: now, exp: now + 600 };
    const mint = (extra: Record<string, unknown>) => signJwt({ ...claims, ...extra }, signer);
    expect(await refusal(emulator, mint({ aud: 'https://management.azure.com/' }))).toMatchObject({
      statusCode: 403,
      code: 'InvalidAuthenticationTokenAudience',
    });
    expect(await refusal(emulator, mint({ tid: 'another-tenant' }))).toMatchObject({
      statusCode: 403,
      code: 'InvalidAuthenticationTokenTenant',
    });
    expect(await refusal(emulator, mint({ exp: now - 5 }))).toMatchObject({ statusCode: 401, code: 'ExpiredAuthenticationToken' });
    expect(await refusal(emulator, mint({ iss: 'https://sts.windows.net/elsewhere/' }))).toMatchObject({
      statusCode: 403,
      code: 'InvalidAuthenticationToken',
    });
    expect(await refusal(emulator, mint({ appid: 'an-app-without-the-role' }))).toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    await upload(emulator, new StaticTokenCredential(mint({ aud: 'https://monitor.azure.com/' })));
    expect(emulator.store.stats().requests.byCaller).toEqual({ [APP]: 1 });
  });
});
