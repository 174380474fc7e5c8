import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const HOME = process.env.CC_STACK_HOME ?? resolve(BENCH_DIR, '..', '..', '.stack-cc');

/** Only 38000–39999: other engineers' stacks use 19xxx, 29xxx, 30xxx and 32000+. */
export const PORTS = {
  kafka: 39092, // brokers 39092, 39094, 39096
  controller: 39192,
  kafkaSecure: 39292, // SASL_SSL 39292/94/96; the PROXIED listeners really listen on 39293/95/97
  kafkaProxied: 39392, // advertised PROXIED ports 39392/94/96, where the fault proxies listen
  registry: 38081,
  s3: 39000,
  sqs: 39324,
  cloudwatch: 39400,
};

export const DIRECT_BROKERS = [0, 1, 2].map((i) => `127.0.0.1:${PORTS.kafka + 2 * i}`);
export const PROXIED_BROKERS = [0, 1, 2].map((i) => `127.0.0.1:${PORTS.kafkaProxied + 2 * i}`);

/** the same timeouts the chaos harness gives the stages */
export const REQUEST_TIMEOUT_MS = 10_000;
export const SESSION_TIMEOUT_MS = 10_000;

export const PARTITIONS = 6;
export const VALUE_BYTES = 190;
