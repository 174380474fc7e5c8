import type { KafkaConfig } from '../config/schema.js';
import { SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { describeCluster } from './protocol/index.js';

/**
 * One authenticated request before the stages start, so a refused login (a wrong password, a
 * token the broker does not accept, a missing client certificate) or a certificate that is not
 * trusted stops the process with the reason, instead of a client that retries its login forever
 * while the stage waits for an assignment. Brokers not reachable yet are only logged: the stages
 * retry as they would have without this check.
 */
export async function checkKafkaAccess(config: KafkaConfig, logger: Logger): Promise<void> {
  try {
    await describeCluster(config);
  } catch (error) {
    // the broker's refusal (KafkaProtocolError, KAFKA_FATAL) or the token endpoint's (CONFIG_INVALID) says what to fix
    if (error instanceof SiemStreamError && !error.retriable) throw error;
    logger.warn({ err: error, brokers: config.brokers }, 'Kafka not reachable yet; the stages retry');
  }
}
