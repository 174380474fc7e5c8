export type ServiceName = 'kafka' | 'registry' | 's3' | 'sqs' | 'cloudwatch';

export const ALL_SERVICES: readonly ServiceName[] = ['kafka', 'registry', 's3', 'sqs', 'cloudwatch'];

export interface StackPorts {
  /** First broker's client port; broker n listens on kafka + 2·(n−1). */
  kafka: number;
  /** First controller's port; controller n listens on controller + 2·(n−1). */
  controller: number;
  /** First broker's SASL_SSL (SCRAM-SHA-512 over TLS) port; broker n listens on kafkaSecure + 2·(n−1). */
  kafkaSecure: number;
  registry: number;
  s3: number;
  sqs: number;
  /** CloudWatch Logs (moto's server mode) */
  cloudwatch: number;
  /**
   * Set only for fault-injection runs: broker n then also listens on kafkaSecure + 2·(n−1) + 1
   * (listener PROXIED) and advertises it at kafkaProxied + 2·(n−1), where a fault proxy forwards
   * to it, so clients bootstrapped through the proxies keep talking through them.
   */
  kafkaProxied?: number;
  /**
   * Set to add two listeners per broker (kafka-auth.ts): OAUTHBEARER over TLS at
   * kafkaAuth + 2·(n−1) and mutual TLS at kafkaAuth + 2·(n−1) + 1. Needs `oidc`.
   */
  kafkaAuth?: number;
  /** the OIDC client-credentials issuer (HTTPS) whose tokens the OAUTHBEARER listener accepts */
  oidc?: number;
}

export const DEFAULT_PORTS: StackPorts = {
  kafka: 19092,
  controller: 19093,
  kafkaSecure: 19192,
  registry: 18081,
  s3: 19000,
  sqs: 19324,
  cloudwatch: 19400,
};

export interface StackContext {
  home: string;
  ports: StackPorts;
  brokers: 1 | 3;
  progress: (msg: string) => void;
}

/** A unit that is not a JVM: its program and arguments; the arguments carry the unit marker (process-files.ts). */
export interface ProgramLaunch {
  program: string;
  args: string[];
}

/** One OS process of a service (a service has one unit, Kafka one per broker). */
export interface Unit {
  id: string;
  ports: Array<{ port: number; label: string }>;
}

export interface ServiceDef {
  name: ServiceName;
  /** For messages: what and which version. */
  label: string;
  /** Oldest Java feature release the service runs on; absent for a service that is not a JVM. */
  javaMin?: number;
  startTimeoutMs: number;
  units(ctx: StackContext): Unit[];
  /**
   * Downloads what is missing (first run), writes config and data folders, and returns for each
   * unit that is to be started its JVM arguments, or the program and arguments of a service that
   * is not a JVM.
   */
  prepare(ctx: StackContext, units: Unit[]): Promise<Map<string, string[] | ProgramLaunch>>;
  /** Healthy as a whole (all units). */
  healthy(ctx: StackContext): Promise<boolean>;
  /** Healthy units (by id), for status; defaults to all units when the service is healthy. */
  healthyUnits?(ctx: StackContext): Promise<Set<string>>;
  endpoint(ctx: StackContext): string;
}
