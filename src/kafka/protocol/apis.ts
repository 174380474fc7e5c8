/**
 * The requests this client sends, with the versions it can encode. The version used is the highest
 * both sides support (ApiVersions); `flexibleFrom` is the first version with compact types and
 * tagged fields (request header v2, response header v1).
 */
export interface ApiSpec {
  key: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  flexibleFrom: number;
}

export const API = {
  // v0 is answered by every broker; it is the one request sent before the versions are known
  apiVersions: { key: 18, name: 'ApiVersions', minVersion: 0, maxVersion: 0, flexibleFrom: 3 },
  metadata: { key: 3, name: 'Metadata', minVersion: 4, maxVersion: 13, flexibleFrom: 9 },
  // v1: the SASL tokens then travel in SaslAuthenticate requests, not as raw frames (v0)
  saslHandshake: { key: 17, name: 'SaslHandshake', minVersion: 1, maxVersion: 1, flexibleFrom: Number.POSITIVE_INFINITY },
  saslAuthenticate: { key: 36, name: 'SaslAuthenticate', minVersion: 0, maxVersion: 2, flexibleFrom: 2 },
  describeConfigs: { key: 32, name: 'DescribeConfigs', minVersion: 1, maxVersion: 4, flexibleFrom: 4 },
  incrementalAlterConfigs: { key: 44, name: 'IncrementalAlterConfigs', minVersion: 0, maxVersion: 1, flexibleFrom: 1 },
  // v1 has the key type (v0, groups only, is gone from Kafka 4); v4 asks for a list of keys; v6 only adds share groups
  findCoordinator: { key: 10, name: 'FindCoordinator', minVersion: 1, maxVersion: 6, flexibleFrom: 3 },
  // v6 answers an unknown group with GROUP_ID_NOT_FOUND instead of the state Dead
  describeGroups: { key: 15, name: 'DescribeGroups', minVersion: 1, maxVersion: 6, flexibleFrom: 5 },
  // v2 asks for all of a group's topics (topics null; v1 cannot, and brokers answer v2 since Kafka 0.10.2, before
  // the Metadata v4 above) and has the group's own error code; v7 adds require_stable; v8+ asks for several groups
  offsetFetch: { key: 9, name: 'OffsetFetch', minVersion: 2, maxVersion: 7, flexibleFrom: 6 },
} as const satisfies Record<string, ApiSpec>;

export const isFlexible = (spec: ApiSpec, version: number) => version >= spec.flexibleFrom;

/** ApiVersions answers with response header v0 at every version, so a client can read it before it knows anything. */
export const hasFlexibleResponseHeader = (spec: ApiSpec, version: number) => isFlexible(spec, version) && spec.key !== API.apiVersions.key;

/** What a broker supports: API key → inclusive version range. */
export type BrokerApiVersions = ReadonlyMap<number, { min: number; max: number }>;

/** The highest version both this client and the broker speak, or undefined when the ranges do not meet. */
export function chooseVersion(spec: ApiSpec, broker: BrokerApiVersions, ceiling = Number.POSITIVE_INFINITY): number | undefined {
  const range = broker.get(spec.key);
  if (!range) return undefined;
  const version = Math.min(spec.maxVersion, range.max, ceiling);
  return version >= Math.max(spec.minVersion, range.min) ? version : undefined;
}
