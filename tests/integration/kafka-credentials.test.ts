import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { describeCluster } from '../../src/kafka/protocol/index.js';
import { connectAdmin } from '../../src/kafka/rdkafka.js';
import { issuedTokens, mtlsTopology, oauthTopology } from '../support/credential-topologies.js';
import { exited, spawnStage } from '../support/stage-process.js';

/** The project's admin connection (protocol/): it answers a refused login or certificate at once, with the reason. */
async function canConnect(topology: Topology): Promise<true | string> {
  try {
    await describeCluster({ ...topology.kafka, connectionTimeoutMs: 3_000 });
    return true;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** A stage started with credentials the cluster refuses must stop at once, non-zero, saying why: not wait forever. */
async function refusedStage(topology: Topology): Promise<{ code: number | null; log: string; ms: number }> {
  const started = Date.now();
  const stage = spawnStage(topology, 'parser');
  const timer = setTimeout(() => stage.kill('SIGKILL'), 60_000);
  const { code } = await exited(stage);
  clearTimeout(timer);
  return { code, log: readFileSync(stage.logFile, 'utf8'), ms: Date.now() - started };
}

describe('SASL/OAUTHBEARER with tokens from the OIDC client-credentials endpoint, checked by the broker against its JWKS', () => {
  it('connects with a token of the expected audience; the broker refuses one of another audience', async () => {
    const before = (await issuedTokens()).length;
    expect(await canConnect(oauthTopology().topology)).toBe(true);
    expect((await issuedTokens()).length).toBeGreaterThan(before); // the token came from the endpoint

    const otherAudience = await canConnect(oauthTopology({ client: 'other-audience' }).topology);
    expect(otherAudience).toMatch(/SASL OAUTHBEARER authentication failed for client "siem-stream-other-audience"/);
    expect(otherAudience).toMatch(/SASL_AUTHENTICATION_FAILED \(\{"status":"invalid_token"\}\)/); // the broker's answer, passed on
  });

  it('hands out an admin client only once it has its token: back-to-back admin calls neither time out nor freeze the process', async () => {
    const { topology } = oauthTopology();
    const kafka = createKafka(topology.kafka, 'oauth-admin');
    const topic = `${topology.topics.prefix}admin-token`;
    await ensureTopics(kafka, [{ topic, numPartitions: 3, replicationFactor: 1 }]); // the token is cached from here on
    const loop = monitorEventLoopDelay({ resolution: 20 });
    loop.enable();
    for (let call = 0; call < 10; call++) {
      const admin = await connectAdmin(kafka);
      try {
        expect(await admin.fetchTopicOffsets(topic)).toHaveLength(3);
      } finally {
        await admin.disconnect();
      }
    }
    loop.disable();
    // an admin call made before its client had the token held the binding's lock the token is set under: the main thread stood still until the call timed out (5 s)
    expect(loop.max / 1e6).toBeLessThan(1_000);
  });

  it('reports a wrong client secret as the token endpoint’s refusal', async () => {
    const refused = await canConnect(oauthTopology({ clientSecret: 'not-the-secret' }).topology);
    expect(refused).toMatch(/CONFIG_INVALID|token endpoint .* refused the token request \(HTTP 401, invalid_client/);
    expect(refused).not.toContain('not-the-secret');
  });

  it('stops a stage whose token the broker refuses, non-zero and with the reason', async () => {
    const { code, log, ms } = await refusedStage(oauthTopology({ client: 'other-audience' }).topology);
    expect(code).toBe(1);
    expect(log).toMatch(/KAFKA_FATAL: SASL OAUTHBEARER authentication failed for client "siem-stream-other-audience"/);
    expect(ms).toBeLessThan(30_000);
  });

  it('stops a stage whose client secret the token endpoint refuses, non-zero and with the reason', async () => {
    const { code, log } = await refusedStage(oauthTopology({ clientSecret: 'not-the-secret' }).topology);
    expect(code).toBe(1);
    expect(log).toMatch(
      /CONFIG_INVALID: kafka.sasl: the OIDC token endpoint .* \(client "siem-stream"\) refused the token request \(HTTP 401/,
    );
    expect(log).not.toContain('not-the-secret');
  });
});

describe('mutual TLS', () => {
  it('connects with the client certificate and its encrypted key; a client without a certificate is refused', async () => {
    expect(await canConnect(mtlsTopology().topology)).toBe(true);
    expect(await canConnect(mtlsTopology({ withCertificate: false }).topology)).toMatch(
      /the broker refused the TLS handshake: it requires a client certificate it trusts/,
    );
  });

  it('refuses a wrong key passphrase at start, naming the key', async () => {
    const { topology } = mtlsTopology();
    const ssl = { ...topology.kafka.ssl, keyPasswordFile: undefined, keyPassword: 'not-the-passphrase' } as NonNullable<
      Topology['kafka']['ssl']
    >;
    expect(await canConnect({ ...topology, kafka: { ...topology.kafka, ssl } })).toMatch(/bad decrypt|decrypt|passphrase/i);
  });

  it('stops a stage without a client certificate, non-zero and with the reason', async () => {
    const { code, log, ms } = await refusedStage(mtlsTopology({ withCertificate: false }).topology);
    expect(code).toBe(1);
    expect(log).toMatch(/KAFKA_FATAL: .*the broker refused the TLS handshake: it requires a client certificate it trusts/);
    expect(ms).toBeLessThan(30_000);
  });
});
