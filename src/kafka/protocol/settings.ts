import { readFileSync } from 'node:fs';
import type { KafkaConfig } from '../../config/schema.js';
import { readSecretFile } from '../../config/secret-file.js';
import type { KafkaSaslConfig, KafkaSslConfig, PasswordSaslConfig } from '../auth-config.js';
import { oauthBearerToken } from '../oauth-token.js';

export type PasswordMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export type SaslMechanism = PasswordMechanism | 'OAUTHBEARER';

export type SaslSettings =
  | { mechanism: PasswordMechanism; username: string; password: string }
  /** `token` gives the current bearer token (oauth-token.ts caches and refreshes it) */
  | { mechanism: 'OAUTHBEARER'; clientId: string; token: () => Promise<string> };

/** TLS to the broker; cert, key and passphrase for mutual TLS. */
export interface TlsSettings {
  rejectUnauthorized: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
}

/** The project's Kafka config as this client uses it: files read, brokers split, names as the broker spells them. */
export interface ClientSettings {
  brokers: Array<{ host: string; port: number }>;
  tls?: TlsSettings;
  sasl?: SaslSettings;
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** API key → the highest version to use, below what both sides support (tests of the older layouts) */
  maxVersions?: ReadonlyMap<number, number>;
}

const MECHANISMS: Record<PasswordSaslConfig['mechanism'], PasswordMechanism> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** Accepts a config that skipped the schema's defaults (a caller's literal): the defaults are the schema's. */
export type ProtocolKafkaConfig = Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> &
  Partial<Pick<KafkaConfig, 'clientId' | 'connectionTimeoutMs' | 'requestTimeoutMs'>>;

export function clientSettings(config: ProtocolKafkaConfig): ClientSettings {
  const settings: ClientSettings = {
    brokers: config.brokers.map(parseBroker),
    clientId: config.clientId ?? 'siem-stream',
    connectionTimeoutMs: config.connectionTimeoutMs ?? 10_000,
    requestTimeoutMs: config.requestTimeoutMs ?? 30_000,
  };
  if (config.ssl) settings.tls = tlsSettings(config.ssl);
  if (config.sasl) settings.sasl = saslSettings(config.sasl);
  return settings;
}

function tlsSettings(ssl: KafkaSslConfig): TlsSettings {
  const { rejectUnauthorized, caFile, certFile, keyFile, keyPassword, keyPasswordFile } = ssl;
  const passphrase = keyPassword ?? (keyPasswordFile && readSecretFile(keyPasswordFile, 'kafka.ssl.keyPasswordFile'));
  return {
    rejectUnauthorized,
    ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
    ...(certFile && keyFile ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } : {}),
    ...(passphrase ? { passphrase } : {}),
  };
}

function saslSettings(sasl: KafkaSaslConfig): SaslSettings {
  if (sasl.mechanism === 'oauthbearer') {
    return { mechanism: 'OAUTHBEARER', clientId: sasl.clientId, token: async () => (await oauthBearerToken(sasl)).value };
  }
  const { mechanism, username, password, passwordFile } = sasl;
  return {
    mechanism: MECHANISMS[mechanism],
    username,
    password: password ?? readSecretFile(passwordFile as string, 'kafka.sasl.passwordFile'),
  };
}

export function parseBroker(hostPort: string): { host: string; port: number } {
  const colon = hostPort.lastIndexOf(':');
  const port = Number(hostPort.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`not a host:port broker address: "${hostPort}"`);
  return { host: hostPort.slice(0, colon), port };
}
