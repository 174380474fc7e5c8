import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { emulatorGet } from '../../src/dev/emulator-stats.js';
import type { KafkaAuthEndpoints } from '../../src/dev/stack/kafka-auth.js';
import { testTopology } from './test-topology.js';

/** The test stack's OAUTHBEARER and mTLS listeners and its OIDC issuer (global-setup sets ports.kafkaAuth). */
export function kafkaAuth(): KafkaAuthEndpoints {
  const { kafkaAuth } = inject('stack');
  if (!kafkaAuth) throw new Error('the test stack was started without ports.kafkaAuth');
  return kafkaAuth;
}

const secretIn = (file: string) => readFileSync(file, 'utf8').trim();

export interface OAuthTopology {
  topology: Topology;
  clientSecret: string;
}

/**
 * Kafka over the OAUTHBEARER listener, tokens from the stack's OIDC issuer with the client secret
 * from its file; `client: 'other-audience'` is a client whose tokens name an audience the brokers
 * do not expect, `clientSecret` replaces the secret (a wrong one).
 */
export function oauthTopology(options: { client?: 'kafka' | 'other-audience'; clientSecret?: string } = {}): OAuthTopology {
  const { oauth } = kafkaAuth();
  const client =
    options.client === 'other-audience'
      ? oauth.oidc.otherAudienceClient
      : { clientId: oauth.oidc.clientId, clientSecretFile: oauth.oidc.clientSecretFile };
  const secret =
    options.clientSecret === undefined ? { clientSecretFile: client.clientSecretFile } : { clientSecret: options.clientSecret };
  const topology = testTopology({
    kafka: {
      brokers: oauth.brokers,
      ssl: { caFile: oauth.caFile },
      sasl: {
        mechanism: 'oauthbearer',
        tokenEndpointUrl: oauth.oidc.tokenEndpointUrl,
        clientId: client.clientId,
        scope: 'kafka',
        caFile: oauth.oidc.caFile,
        ...secret,
      },
    },
  });
  return { topology, clientSecret: options.clientSecret ?? secretIn(client.clientSecretFile) };
}

export interface MtlsTopology {
  topology: Topology;
  keyPassword: string;
}

/** Kafka over the mTLS listener with the stack's client certificate and its encrypted key; `withCertificate: false` leaves them out. */
export function mtlsTopology(options: { withCertificate?: boolean } = {}): MtlsTopology {
  const { mtls } = kafkaAuth();
  const certificate =
    options.withCertificate === false
      ? {}
      : { certFile: mtls.client.certFile, keyFile: mtls.client.keyFile, keyPasswordFile: mtls.client.keyPasswordFile };
  const topology = testTopology({ kafka: { brokers: mtls.brokers, ssl: { caFile: mtls.caFile, ...certificate } } });
  return { topology, keyPassword: secretIn(mtls.client.keyPasswordFile) };
}

/** Every token the stack's OIDC issuer has handed out lately (its test endpoint). */
export async function issuedTokens(): Promise<string[]> {
  const { oidc } = kafkaAuth().oauth;
  return (await emulatorGet<{ tokens: string[] }>(oidc.issuer, oidc.caFile, '/_oidc/issued')).tokens;
}
