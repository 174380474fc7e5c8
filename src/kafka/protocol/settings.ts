import { readFileSync } from 'node:fs';
import type { KafkaConfig } from '../../config/schema.js';
import { readSecretFile } from '../../config/secret-file.js';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/** The project's Kafka config as this client uses it: files read, brokers split, names as the broker spells them. */
export interface ClientSettings {
  brokers: Array<{ host: string; port: number }>;
  tls?: { rejectUnauthorized: boolean; ca?: string };
  sasl?: SaslSettings;
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** API key → the highest version to use, below what both sides support (tests of the older layouts) */
  maxVersions?: ReadonlyMap<number, number>;
}

const MECHANISMS: Record<NonNullable<KafkaConfig['sasl']>['mechanism'], SaslMechanism> = {
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
  if (config.ssl) {
    settings.tls = {
      rejectUnauthorized: config.ssl.rejectUnauthorized,
      ...(config.ssl.caFile ? { ca: readFileSync(config.ssl.caFile, 'utf8') } : {}),
    };
  }
  if (config.sasl) {
    const { mechanism, username, password, passwordFile } = config.sasl;
    settings.sasl = {
      mechanism: MECHANISMS[mechanism],
      username,
      password: password ?? readSecretFile(passwordFile as string, 'kafka.sasl.passwordFile'),
    };
  }
  return settings;
}

export function parseBroker(hostPort: string): { host: string; port: number } {
  const colon = hostPort.lastIndexOf(':');
  const port = Number(hostPort.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`not a host:port broker address: "${hostPort}"`);
  return { host: hostPort.slice(0, colon), port };
}
