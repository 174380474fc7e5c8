import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { emulatorGet } from '../../src/dev/emulator-stats.js';
import { generateSampleObjects, uploadSampleObjects } from '../../src/dev/sample-logs.js';
import { describeCluster } from '../../src/kafka/protocol/index.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { type AzureIdentityTestbed, startAzureIdentityTestbed } from '../support/azure-identity.js';
import { issuedTokens, mtlsTopology, oauthTopology } from '../support/credential-topologies.js';
import { runCli, topologyFile } from '../support/ops-cli.js';
import { passwordSasl, securedTopology, withoutPasswordFiles } from '../support/secured-topology.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';

/** The project's admin connection (protocol/): it answers a refused login or certificate at once, with the broker's reason. */
async function canConnect(topology: Topology): Promise<true | string> {
  try {
    await describeCluster({ ...topology.kafka, connectionTimeoutMs: 3_000 });
    return true;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/** The local Entra ID and the emulator that verifies its tokens: the Sentinel sink authenticates with a client secret. */
let azure: AzureIdentityTestbed;
beforeAll(async () => {
  azure = await startAzureIdentityTestbed();
});
afterAll(async () => {
  await azure?.stop();
});

/** The topology's Sentinel sink pointed at the verifying emulator, its client secret from a file or (left out here) from the environment. */
function withClientSecret(topology: Topology, from: 'file' | 'env'): Topology {
  const { credential } = azure.credential(from === 'file' ? 'client-secret-file' : 'client-secret');
  const { clientSecret: _fromEnv, ...withoutSecret } = credential;
  const sentinel = {
    ...topology.sinks[0],
    endpoint: azure.emulator.url,
    caFile: azure.emulator.caCertPath,
    credential: from === 'file' ? credential : withoutSecret,
  };
  return { ...topology, sinks: [sentinel] } as unknown as Topology;
}

/** The secrets as they could leak: the passwords, and the registry's basic auth header value. */
const secretForms = (kafkaPassword: string, registryPassword: string, registryUser: string) => [
  kafkaPassword,
  registryPassword,
  Buffer.from(`${registryUser}:${registryPassword}`).toString('base64'),
];

/**
 * Runs every stage in one process against a secured Kafka listener at debug level, the Sentinel
 * sink with an Azure client secret, waits for every valid record at the verifying emulator, runs
 * `siem-stream lag` for the parser's group with the same credentials, then looks for the secrets
 * (and every token the local Entra ID issued) in the stage's whole output, its /metrics and the lag
 * command's output. `secrets` is asked after the run, so it can include the tokens issued meanwhile.
 */
async function runPipelineWithoutLeaks(
  topology: Topology,
  env: Record<string, string>,
  secrets: string[] | (() => Promise<string[]>),
): Promise<void> {
  const stack = inject('stack');
  const samples = generateSampleObjects({ objects: 2, recordsPerObject: 300, malformedEvery: 50 });
  await uploadSampleObjects(createS3Client(topology.source.s3), topology.source.s3.bucket, samples);
  const valid = samples.reduce((n, s) => n + s.valid, 0);
  const running = spawnStage(topology, '--all', {
    ...env,
    SIEM_STREAM__SOURCE__S3__CREDENTIALS__SECRETACCESSKEY: stack.s3.secretAccessKey,
    SIEM_STREAM_LOG_LEVEL: 'debug',
  });
  try {
    await waitFor(
      'every valid record at the emulator',
      async () => {
        const all = await emulatorGet<{ records: Array<{ record: Record<string, unknown> }> }>(
          azure.emulator.url,
          azure.emulator.caCertPath as string,
          '/_emulator/records',
        );
        const mine = all.records.filter((r) => r.record.SourceBucket === topology.source.s3.bucket);
        return mine.length >= valid ? mine : undefined;
      },
      180_000,
    );
    const lag = await runCli(['lag', topologyFile(topology), '--group', topology.parser.groupId, '--json'], {
      ...env,
      SIEM_STREAM_LOG_LEVEL: 'debug',
    });
    expect(lag.code, lag.stderr).toBe(0);
    const rows = JSON.parse(lag.stdout) as Array<{ topic: string; committed: string | null }>;
    expect(rows.some((r) => r.topic.startsWith(`${topology.topics.prefix}raw.`) && Number(r.committed) > 0)).toBe(true);
    const log = readFileSync(running.logFile, 'utf8');
    const metricsPort = Number(/"metricsPort":(\d+)/.exec(log)?.[1]);
    expect(metricsPort).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('siem_');
    expect(log.split('\n').length).toBeGreaterThan(20); // debug logging was on: there was plenty to leak into
    expect(azure.endpoint.issued.length).toBeGreaterThan(0); // the sink's tokens came from the local Entra ID
    const all = [...(typeof secrets === 'function' ? await secrets() : secrets), stack.s3.secretAccessKey, ...azure.secrets()];
    for (const secret of all) {
      expect(log.includes(secret), 'a secret appears in the stage log').toBe(false);
      expect(metrics.includes(secret), 'a secret appears in /metrics').toBe(false);
      expect(`${lag.stdout}${lag.stderr}`.includes(secret), 'a secret appears in the lag command output').toBe(false);
    }
  } finally {
    running.kill('SIGTERM');
    await exited(running);
  }
}

describe('a secured cluster: SASL_SSL with SCRAM-SHA-512, and the registry over HTTPS with basic auth', () => {
  it('verifies the broker certificate unless told not to, and refuses a wrong password', async () => {
    const { topology } = securedTopology();
    expect(await canConnect(topology)).toBe(true);

    const { caFile: _trusted, ...noCa } = topology.kafka.ssl ?? { rejectUnauthorized: true };
    expect(noCa.rejectUnauthorized).toBe(true); // the default: verification on
    expect(await canConnect({ ...topology, kafka: { ...topology.kafka, ssl: noCa } })).toMatch(/self-signed certificate/);
    expect(await canConnect({ ...topology, kafka: { ...topology.kafka, ssl: { rejectUnauthorized: false } } })).toBe(true);

    const sasl = { mechanism: 'scram-sha-512' as const, username: passwordSasl(topology).username ?? '', password: 'not-the-password' };
    expect(await canConnect({ ...topology, kafka: { ...topology.kafka, sasl } })).toMatch(/SASL.*authentication failed/i);
  });

  it('runs the whole pipeline with both passwords and the Azure client secret from the environment, and no secret reaches a log line or a metric', async () => {
    const { topology, kafkaPassword, registryPassword } = securedTopology();
    const env = {
      SIEM_STREAM__KAFKA__SASL__PASSWORD: kafkaPassword,
      SIEM_STREAM__SCHEMA_REGISTRY__AUTH__PASSWORD: registryPassword,
      SIEM_STREAM__SINKS__0__CREDENTIAL__CLIENT_SECRET: azure.clientSecret,
    };
    const secrets = secretForms(kafkaPassword, registryPassword, topology.schemaRegistry.auth?.username ?? '');
    await runPipelineWithoutLeaks(withClientSecret(withoutPasswordFiles(topology), 'env'), env, secrets);
  });

  it('runs the whole pipeline with both passwords and the Azure client secret from files, and no secret reaches a log line or a metric', async () => {
    const { topology, kafkaPassword, registryPassword } = securedTopology();
    expect(passwordSasl(topology).passwordFile).toBeDefined();
    expect(topology.schemaRegistry.auth?.passwordFile).toBeDefined();
    const secrets = secretForms(kafkaPassword, registryPassword, topology.schemaRegistry.auth?.username ?? '');
    await runPipelineWithoutLeaks(withClientSecret(topology, 'file'), {}, secrets);
  });
});

/** A token as it could leak: whole, or its signature (the part that makes it usable). */
const tokenForms = (tokens: string[]) => tokens.flatMap((t) => [t, t.split('.')[2] ?? t]);

describe('a cluster with OAUTHBEARER (OIDC client credentials) and one with mutual TLS', () => {
  it('runs the whole pipeline and lag over OAUTHBEARER, and neither the client secret nor a token reaches a log line or a metric', async () => {
    const { topology, clientSecret } = oauthTopology();
    const before = new Set(await issuedTokens());
    await runPipelineWithoutLeaks(withClientSecret(topology, 'file'), {}, async () => {
      const tokens = (await issuedTokens()).filter((t) => !before.has(t));
      expect(tokens.length).toBeGreaterThan(0); // the stages and the lag command got theirs from the endpoint
      return [clientSecret, ...tokenForms(tokens)];
    });
  });

  it('runs the whole pipeline and lag with the client secret from the environment, without leaking it', async () => {
    const { topology, clientSecret } = oauthTopology();
    const { clientSecretFile: _file, ...sasl } = topology.kafka.sasl as Record<string, unknown>;
    const inline = { ...topology, kafka: { ...topology.kafka, sasl } } as unknown as Topology;
    await runPipelineWithoutLeaks(withClientSecret(inline, 'file'), { SIEM_STREAM__KAFKA__SASL__CLIENT_SECRET: clientSecret }, [
      clientSecret,
    ]);
  });

  it('runs the whole pipeline and lag over mutual TLS with an encrypted key, and the passphrase reaches no log line or metric', async () => {
    const { topology, keyPassword } = mtlsTopology();
    expect(topology.kafka.ssl?.keyPasswordFile).toBeDefined();
    await runPipelineWithoutLeaks(withClientSecret(topology, 'file'), {}, [keyPassword]);
  });
});
