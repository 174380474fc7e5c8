import { SiemStreamError } from '../../errors.js';

/** The broker error codes these requests meet (https://kafka.apache.org/protocol#protocol_error_codes), and whether Kafka calls them retriable. */
const KAFKA_ERRORS: Record<number, { name: string; retriable: boolean; text: string }> = {
  [-1]: { name: 'UNKNOWN_SERVER_ERROR', retriable: false, text: 'the broker failed unexpectedly' },
  3: { name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, text: 'the topic does not exist' },
  5: { name: 'LEADER_NOT_AVAILABLE', retriable: true, text: 'a leader election is under way' },
  6: { name: 'NOT_LEADER_OR_FOLLOWER', retriable: true, text: 'the broker is not a replica of the partition' },
  7: { name: 'REQUEST_TIMED_OUT', retriable: true, text: 'the broker timed the request out' },
  13: { name: 'NETWORK_EXCEPTION', retriable: true, text: 'the broker lost a connection it needed' },
  14: { name: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true, text: 'the coordinator is still loading the group' },
  15: { name: 'COORDINATOR_NOT_AVAILABLE', retriable: true, text: 'the group coordinator is not available' },
  16: { name: 'NOT_COORDINATOR', retriable: true, text: 'the broker is not the group’s coordinator' },
  17: { name: 'INVALID_TOPIC_EXCEPTION', retriable: false, text: 'the topic name is not valid' },
  24: { name: 'INVALID_GROUP_ID', retriable: false, text: 'the group id is not valid' },
  29: { name: 'TOPIC_AUTHORIZATION_FAILED', retriable: false, text: 'the user may not access the topic' },
  30: { name: 'GROUP_AUTHORIZATION_FAILED', retriable: false, text: 'the user may not access the group' },
  31: { name: 'CLUSTER_AUTHORIZATION_FAILED', retriable: false, text: 'the user may not access the cluster' },
  33: { name: 'UNSUPPORTED_SASL_MECHANISM', retriable: false, text: 'the broker does not enable this SASL mechanism' },
  34: { name: 'ILLEGAL_SASL_STATE', retriable: false, text: 'the SASL exchange went out of order' },
  35: { name: 'UNSUPPORTED_VERSION', retriable: false, text: 'the broker does not support this request version' },
  40: { name: 'INVALID_CONFIG', retriable: false, text: 'the config name or value is not valid' },
  41: { name: 'NOT_CONTROLLER', retriable: true, text: 'the broker is not the controller' },
  42: { name: 'INVALID_REQUEST', retriable: false, text: 'the broker refused the request as malformed' },
  44: { name: 'POLICY_VIOLATION', retriable: false, text: 'a broker policy refused the change' },
  58: { name: 'SASL_AUTHENTICATION_FAILED', retriable: false, text: 'wrong user name or password' },
  69: { name: 'GROUP_ID_NOT_FOUND', retriable: false, text: 'the group does not exist' },
  88: { name: 'UNSTABLE_OFFSET_COMMIT', retriable: true, text: 'a transaction that commits offsets of the group is still open' },
};

/** Kafka's name of an error code; a code not in the table prints as its number. */
export function kafkaErrorName(code: number): string {
  return KAFKA_ERRORS[code]?.name ?? `KAFKA_ERROR_${code}`;
}

/**
 * A failure of this client: a broker's error answer (`kafkaError` names it), or a connection that
 * failed, timed out or closed (`kafkaError` undefined). `retriable` says whether trying again can help.
 */
export class KafkaProtocolError extends SiemStreamError {
  readonly kafkaError: string | undefined;

  constructor(message: string, options: { retriable: boolean; kafkaError?: string; cause?: unknown }) {
    super(options.retriable ? 'KAFKA_TRANSIENT' : 'KAFKA_FATAL', message, { stage: 'admin', cause: options.cause });
    this.name = 'KafkaProtocolError';
    this.kafkaError = options.kafkaError;
  }
}

/** The error for a broker's non-zero error code; `what` says what was asked, e.g. `describing the configs of topic "t"`. */
export function brokerError(what: string, code: number, message?: string | null): KafkaProtocolError {
  return new KafkaProtocolError(`${what} failed: ${brokerAnswer(code, message)}`, {
    retriable: KAFKA_ERRORS[code]?.retriable ?? false,
    kafkaError: kafkaErrorName(code),
  });
}

/** An error answer as one phrase: the error's name, then the broker's message, or what the code means. */
export function brokerAnswer(code: number, message?: string | null): string {
  const explanation = message || KAFKA_ERRORS[code]?.text;
  return `${kafkaErrorName(code)}${explanation ? ` (${explanation})` : ''}`;
}

/** Several resources failed: one error that names each, retriable only if every failure is. */
export function combineErrors(failures: KafkaProtocolError[]): KafkaProtocolError | undefined {
  const [first] = failures;
  if (!first || failures.length === 1) return first;
  return new KafkaProtocolError(failures.map((f) => f.message).join('; '), {
    retriable: failures.every((f) => f.retriable),
    kafkaError: first.kafkaError,
  });
}
