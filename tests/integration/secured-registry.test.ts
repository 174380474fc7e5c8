import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import type { SchemaRegistryConfig, Topology } from '../../src/config/schema.js';
import { SiemStreamError } from '../../src/errors.js';
import { rootLogger } from '../../src/observability/logger.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../../src/schemas/events.js';
import { checkRegistryAccess, createRegistry } from '../../src/schemas/registry-client.js';
import { securedTopology, withoutPasswordFiles } from '../support/secured-topology.js';
import { exited, spawnStage } from '../support/stage-process.js';

/** What the start-up check says about this registry config: 'ok' or the error's code and message. */
async function access(config: SchemaRegistryConfig): Promise<string> {
  try {
    await checkRegistryAccess(config, rootLogger);
    return 'ok';
  } catch (error) {
    return error instanceof SiemStreamError ? `${error.code}: ${error.message}` : `unexpected: ${String(error)}`;
  }
}

/** Registers the normalized schema through the client every stage uses. */
async function register(config: SchemaRegistryConfig, topic: string): Promise<number | string> {
  return new EventCodec<NormalizedEvent>(createRegistry(config), topic, 'normalized').register().catch((e: Error) => e.message);
}

async function startParserWith(topology: Topology, registryPassword: string): Promise<{ code: number | null; log: string }> {
  const stage = spawnStage(withoutPasswordFiles(topology), 'parser', {
    SIEM_STREAM__KAFKA__SASL__PASSWORD: inject('stack').kafkaSecure.sasl.password,
    SIEM_STREAM__SCHEMA_REGISTRY__AUTH__PASSWORD: registryPassword,
  });
  const timer = setTimeout(() => stage.kill('SIGKILL'), 60_000);
  const { code } = await exited(stage);
  clearTimeout(timer);
  return { code, log: readFileSync(stage.logFile, 'utf8') };
}

describe('the schema registry over HTTPS with basic auth', () => {
  it('serves the registry to the configured credentials and refuses others clearly', async () => {
    const { topology } = securedTopology();
    const config = topology.schemaRegistry;
    expect(await access(config)).toBe('ok');
    expect(await register(config, `${topology.topics.prefix}events.normalized`)).toBeGreaterThan(0);

    const wrong = { ...config, auth: { username: 'siem-stream', password: 'not-the-password' } };
    expect(await access(wrong)).toBe(
      `REGISTRY_REFUSED: schema registry ${config.url} refused the credentials of user "siem-stream": HTTP 401`,
    );
    const { auth: _auth, ...anonymous } = config;
    expect(await access(anonymous)).toBe(
      `REGISTRY_REFUSED: schema registry ${config.url} refused a request without credentials (set schemaRegistry.auth): HTTP 401`,
    );
    // the client the stages use does not retry a refusal
    expect(await register(wrong, `${topology.topics.prefix}x`)).toBe(
      `registering normalized under ${topology.topics.prefix}x-value: the schema registry refused the credentials (HTTP 401)`,
    );
  });

  it('verifies the certificate unless rejectUnauthorized: false is set explicitly', async () => {
    const { topology } = securedTopology();
    const { tls: _tls, ...noTls } = topology.schemaRegistry;
    for (const untrusted of [noTls, { ...noTls, tls: { rejectUnauthorized: true } }]) {
      expect(await access(untrusted)).toMatch(
        /^REGISTRY_REFUSED: schema registry https:.* its TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\); set schemaRegistry\.tls\.caFile/,
      );
      expect(await register(untrusted, `${topology.topics.prefix}events.normalized`)).toMatch(/self-signed certificate/);
    }
    const unverified = { ...noTls, tls: { rejectUnauthorized: false } };
    expect(await access(unverified)).toBe('ok');
    expect(await register(unverified, `${topology.topics.prefix}events.normalized`)).toBeGreaterThan(0);
  });

  it('a stage given a wrong registry password or no CA exits at start with one clear line, not a stack trace', async () => {
    const { topology, registryPassword } = securedTopology();
    const refused = await startParserWith(topology, 'not-the-password');
    expect(refused.code).toBe(1);
    expect(refused.log).toContain(
      `siem-stream: REGISTRY_REFUSED: schema registry ${topology.schemaRegistry.url} refused the credentials of user "siem-stream": HTTP 401\n`,
    );
    expect(refused.log).not.toMatch(/\n\s+at /);

    const { tls: _tls, ...noTls } = topology.schemaRegistry;
    const untrusted = await startParserWith({ ...topology, schemaRegistry: noTls }, registryPassword);
    expect(untrusted.code).toBe(1);
    expect(untrusted.log).toMatch(/siem-stream: REGISTRY_REFUSED: .* its TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(untrusted.log).not.toMatch(/\n\s+at /);
    expect(untrusted.log).not.toContain(registryPassword);
  });
});
