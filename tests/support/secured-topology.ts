import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import type { PasswordSaslConfig } from '../../src/kafka/auth-config.js';
import { testTopology } from './test-topology.js';

export interface SecuredTopology {
  /** Kafka over SASL_SSL and the registry over HTTPS with basic auth, both passwords from files */
  topology: Topology;
  kafkaPassword: string;
  registryPassword: string;
}

/**
 * The test stack's brokers also listen with SASL_SSL (SCRAM-SHA-512 over TLS, a self-signed CA),
 * and its registry is also served over HTTPS with basic auth (a proxy with its own self-signed CA).
 */
export function securedTopology(): SecuredTopology {
  const { kafkaSecure, registrySecure } = inject('stack');
  const dir = mkdtempSync(join(tmpdir(), 'siem-secret-'));
  const kafkaPasswordFile = join(dir, 'kafka-password');
  writeFileSync(kafkaPasswordFile, `${kafkaSecure.sasl.password}\n`, { mode: 0o600 });
  const topology = testTopology({
    kafka: {
      brokers: kafkaSecure.brokers,
      ssl: { caFile: kafkaSecure.caFile },
      sasl: { mechanism: kafkaSecure.sasl.mechanism, username: kafkaSecure.sasl.username, passwordFile: kafkaPasswordFile },
    },
    schemaRegistry: {
      url: registrySecure.url,
      auth: { username: registrySecure.username, passwordFile: registrySecure.passwordFile },
      tls: { caFile: registrySecure.caFile },
    },
  });
  return {
    topology,
    kafkaPassword: kafkaSecure.sasl.password,
    registryPassword: readFileSync(registrySecure.passwordFile, 'utf8').trim(),
  };
}

/** The same topology with both passwords given inline, as the environment would set them, and the files dropped. */
export function withoutPasswordFiles(topology: Topology): Topology {
  const { passwordFile: _k, ...sasl } = passwordSasl(topology);
  const { passwordFile: _r, ...auth } = topology.schemaRegistry.auth ?? { username: '' };
  return { ...topology, kafka: { ...topology.kafka, sasl }, schemaRegistry: { ...topology.schemaRegistry, auth } } as unknown as Topology;
}

/** The topology's SASL settings, which are the password kind here (SCRAM). */
export function passwordSasl(topology: Topology): PasswordSaslConfig {
  const { sasl } = topology.kafka;
  if (!sasl || sasl.mechanism === 'oauthbearer') throw new Error('the secured topology logs in with a password');
  return sasl;
}
