import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTokenEndpoint, type TokenEndpoint } from '../../../src/dev/token-endpoint/index.js';
import { SiemStreamError } from '../../../src/errors.js';
import { sentinelSinkSchema } from '../../../src/sinks/sentinel/config.js';
import { createCredential } from '../../../src/sinks/sentinel/credential.js';

const TENANT = 'tenant-unit';
const APP = 'app-unit';
const SECRET = 'unit~Secret.abcdefghijklmnop';
const SCOPE = 'https://monitor.azure.com/.default';

let endpoint: TokenEndpoint;
beforeAll(async () => {
  endpoint = await startTokenEndpoint({ tenantId: TENANT, clients: [{ clientId: APP, secrets: [SECRET] }] });
}, 60_000);
afterAll(async () => {
  await endpoint?.stop();
});

function credentialConfig(extra: Record<string, unknown>) {
  const parsed = sentinelSinkSchema.parse({
    type: 'sentinel',
    name: 'sentinel',
    endpoint: 'https://127.0.0.1:1',
    dcrImmutableId: 'dcr-1',
    streams: { '*': 'Custom-SiemEvent' },
    credential: {
      type: 'client-secret',
      tenantId: TENANT,
      clientId: APP,
      authorityHost: endpoint.url,
      disableInstanceDiscovery: true,
      ...extra,
    },
  });
  return parsed.credential;
}

async function failure(promise: Promise<unknown>): Promise<SiemStreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SiemStreamError);
  return error as SiemStreamError;
}

describe('the Sentinel sink credential', { timeout: 60_000 }, () => {
  it('gets a token from an authority whose certificate only the sink caFile vouches for, the secret read from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'siem-cred-')), 'client-secret');
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const credential = createCredential(credentialConfig({ clientSecretFile: file }), { caPem: endpoint.caCertPem, stage: 'sentinel' });
    const token = await credential.getToken(SCOPE);
    expect(token?.token).toBe(endpoint.issued.at(-1)?.token);

    const missing = join(tmpdir(), 'no-such-dir', 'client-secret');
    expect(() => createCredential(credentialConfig({ clientSecretFile: missing }), { stage: 'sentinel' })).toThrow(
      `sink sentinel credential.clientSecretFile: cannot read ${missing} (ENOENT)`,
    );
  });

  it('a refused secret is DESTINATION_MISCONFIGURED with the identity provider reason and without the secret', async () => {
    const wrong = 'not~the.secret-value';
    const credential = createCredential(credentialConfig({ clientSecret: wrong }), { caPem: endpoint.caCertPem, stage: 'sentinel' });
    const error = await failure(credential.getToken(SCOPE));
    expect(error.code).toBe('DESTINATION_MISCONFIGURED');
    expect(error.stage).toBe('sentinel');
    expect(error.message).toContain(
      `credential client-secret for client ${APP}: no token (HTTP 401 invalid_client from ${endpoint.url}/${TENANT}/oauth2/v2.0/token)`,
    );
    expect(error.message).toContain('AADSTS7000215');
    expect(error.message).not.toContain(wrong);
  });

  it('an unknown tenant, an untrusted certificate and a missing token file are refusals too; an unreachable authority is retried', async () => {
    const unknownTenant = createCredential(credentialConfig({ clientSecret: SECRET, tenantId: 'no-such-tenant' }), {
      caPem: endpoint.caCertPem,
    });
    expect((await failure(unknownTenant.getToken(SCOPE))).code).toBe('DESTINATION_MISCONFIGURED');

    const untrusting = createCredential(credentialConfig({ clientSecret: SECRET }));
    const untrusted = await failure(untrusting.getToken(SCOPE));
    expect(untrusted.code).toBe('DESTINATION_MISCONFIGURED');
    expect(untrusted.message).toMatch(
      /no answer from https:\/\/127\.0\.0\.1:\d+\/tenant-unit\/v2\.0\/\.well-known\/openid-configuration: \w*SELF_SIGNED/,
    );

    const workload = createCredential(
      {
        type: 'workload-identity',
        tenantId: TENANT,
        clientId: APP,
        tokenFilePath: join(tmpdir(), 'no-such-dir', 'token'),
        authorityHost: endpoint.url,
        disableInstanceDiscovery: true,
      },
      { caPem: endpoint.caCertPem },
    );
    expect((await failure(workload.getToken(SCOPE))).code).toBe('DESTINATION_MISCONFIGURED');

    const down = await startTokenEndpoint({ tenantId: TENANT, clients: [{ clientId: APP, secrets: [SECRET] }] });
    await down.stop();
    const unreachable = createCredential(credentialConfig({ clientSecret: SECRET, authorityHost: down.url }), { caPem: down.caCertPem });
    const unavailable = await failure(unreachable.getToken(SCOPE));
    expect(unavailable.code).toBe('DESTINATION_UNAVAILABLE');
    expect(unavailable.retriable).toBe(true);
  });

  it('takes exactly one of clientSecret and clientSecretFile, and says where', () => {
    for (const extra of [{}, { clientSecret: 'a', clientSecretFile: '/run/secrets/b' }]) {
      const parsed = sentinelSinkSchema.safeParse({
        type: 'sentinel',
        name: 'sentinel',
        endpoint: 'https://dce.example',
        dcrImmutableId: 'dcr-1',
        streams: { '*': 'Custom-SiemEvent' },
        credential: { type: 'client-secret', tenantId: TENANT, clientId: APP, ...extra },
      });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
        ['credential.clientSecret', 'set exactly one of clientSecret and clientSecretFile'],
      ]);
    }
  });
});
