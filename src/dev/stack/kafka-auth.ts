import { join } from 'node:path';
import { type OidcIssuerEndpoint, readOidcIssuerEndpoint, startOidcIssuerUnit } from '../oidc-issuer/unit.js';
import { type ClientCertificateFiles, loadOrCreateClientCertificate, readPem } from './client-certificate.js';
import { HOST } from './health.js';
import { stackPaths } from './process-files.js';
import type { StackContext } from './service.js';

/**
 * The brokers' optional listeners for the other credential paths, on when `ports.kafkaAuth` is set:
 * OAUTH (SASL_SSL with OAUTHBEARER, tokens from the stack's OIDC issuer checked by Kafka's own
 * validator against the issuer's JWKS) at kafkaAuth + 2·(n−1), and MTLS (SSL, a client certificate
 * required) at kafkaAuth + 2·(n−1) + 1.
 */
export interface KafkaAuthEndpoints {
  oauth: { brokers: string[]; caFile: string; oidc: OidcIssuerEndpoint };
  mtls: { brokers: string[]; caFile: string; client: ClientCertificateFiles };
}

const oauthPort = (ctx: StackContext, node: number) => (ctx.ports.kafkaAuth ?? 0) + 2 * (node - 1);
const mtlsPort = (ctx: StackContext, node: number) => oauthPort(ctx, node) + 1;
export const hasAuthListeners = (ctx: StackContext) => ctx.ports.kafkaAuth !== undefined;
const clientCertDir = (ctx: StackContext) => join(stackPaths(ctx.home).data, 'kafka-mtls');
/** the principal the client certificate authenticates as */
export const MTLS_CLIENT_CN = 'siem-stream-client';

export function authListenerPorts(ctx: StackContext, node: number): Array<{ port: number; label: string }> {
  if (!hasAuthListeners(ctx)) return [];
  return [
    { port: oauthPort(ctx, node), label: `Kafka broker ${node} OAUTHBEARER` },
    { port: mtlsPort(ctx, node), label: `Kafka broker ${node} mTLS` },
  ];
}

/** `NAME://host:port` entries and protocol-map entries to add to a broker's listeners. */
export function authListeners(ctx: StackContext, node: number): { listeners: string[]; protocols: string[] } {
  if (!hasAuthListeners(ctx)) return { listeners: [], protocols: [] };
  return {
    listeners: [`OAUTH://${HOST}:${oauthPort(ctx, node)}`, `MTLS://${HOST}:${mtlsPort(ctx, node)}`],
    protocols: ['OAUTH:SASL_SSL', 'MTLS:SSL'],
  };
}

/** Starts the OIDC issuer before the brokers: Kafka's validator fetches the JWKS when the listener starts, and fails without it. */
export async function prepareAuthListeners(ctx: StackContext): Promise<OidcIssuerEndpoint | undefined> {
  if (!hasAuthListeners(ctx)) return undefined;
  if (ctx.ports.oidc === undefined)
    throw new Error('ports.kafkaAuth needs ports.oidc: the OAUTHBEARER listener checks tokens of the stack OIDC issuer');
  loadOrCreateClientCertificate(clientCertDir(ctx), MTLS_CLIENT_CN);
  return startOidcIssuerUnit(ctx.home, ctx.ports.oidc, ctx.progress);
}

/** A PEM value inside a .properties file: Java reads `\\n` as a newline (and a bare CR as a line end). */
export const propertyPem = (pem: string) => pem.trim().replaceAll('\r\n', '\n').replaceAll('\n', '\\n');

/** server.properties entries of both listeners; `keystore` is the broker's own certificate entries (PEM key store). */
export function authListenerSettings(
  ctx: StackContext,
  oidc: OidcIssuerEndpoint,
  keystore: { chain: string; key: string },
): Record<string, string> {
  const client = loadOrCreateClientCertificate(clientCertDir(ctx), MTLS_CLIENT_CN);
  const oauth = 'listener.name.oauth';
  const mtls = 'listener.name.mtls';
  return {
    [`${oauth}.ssl.keystore.type`]: 'PEM',
    [`${oauth}.ssl.keystore.certificate.chain`]: keystore.chain,
    [`${oauth}.ssl.keystore.key`]: keystore.key,
    [`${oauth}.sasl.enabled.mechanisms`]: 'OAUTHBEARER',
    // The JAAS options carry the trust for fetching the JWKS over HTTPS (JaasOptionsUtils). The login
    // module also logs the broker itself in, with an unsecured token that no listener accepts: brokers
    // talk to each other over PLAINTEXT, so it is never sent, but the login fails without a subject.
    [`${oauth}.oauthbearer.sasl.jaas.config`]: `org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required ssl.truststore.type="PEM" ssl.truststore.location="${oidc.caFile}" unsecuredLoginStringClaim_sub="broker";`,
    [`${oauth}.oauthbearer.sasl.server.callback.handler.class`]:
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
    'sasl.oauthbearer.jwks.endpoint.url': oidc.jwksUrl,
    'sasl.oauthbearer.expected.audience': oidc.audience,
    'sasl.oauthbearer.expected.issuer': oidc.issuer,
    [`${mtls}.ssl.keystore.type`]: 'PEM',
    [`${mtls}.ssl.keystore.certificate.chain`]: keystore.chain,
    [`${mtls}.ssl.keystore.key`]: keystore.key,
    [`${mtls}.ssl.client.auth`]: 'required',
    [`${mtls}.ssl.truststore.type`]: 'PEM',
    [`${mtls}.ssl.truststore.certificates`]: propertyPem(readPem(client.caFile)),
  };
}

/** JVM options: Kafka 4 fetches OAuth URLs only when this system property allows them. */
export function authJvmOptions(oidc: OidcIssuerEndpoint | undefined): string[] {
  return oidc ? [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${oidc.jwksUrl},${oidc.tokenEndpointUrl}`] : [];
}

export function kafkaAuthEndpoints(ctx: StackContext, serverCaFile: string): KafkaAuthEndpoints | undefined {
  const oidc = readOidcIssuerEndpoint(ctx.home);
  if (!hasAuthListeners(ctx) || !oidc) return undefined;
  const nodes = Array.from({ length: ctx.brokers }, (_, i) => i + 1);
  return {
    oauth: { brokers: nodes.map((n) => `${HOST}:${oauthPort(ctx, n)}`), caFile: serverCaFile, oidc },
    mtls: {
      brokers: nodes.map((n) => `${HOST}:${mtlsPort(ctx, n)}`),
      caFile: serverCaFile,
      client: loadOrCreateClientCertificate(clientCertDir(ctx), MTLS_CLIENT_CN),
    },
  };
}
