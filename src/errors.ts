/**
 * One error model for every stage: a closed set of codes, whether a retry can help,
 * the stage that raised it and the underlying cause. Retry and DLQ decisions read these
 * fields, never error messages.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { retriable: false, description: 'configuration failed validation at load' },
  RECORD_UNPARSEABLE: { retriable: false, description: 'a record could not be decoded in its declared format' },
  RECORD_INVALID: { retriable: false, description: 'a record decoded but failed field validation' },
  RECORD_TOO_LARGE: { retriable: false, description: 'a record exceeds the configured size cap' },
  SCHEMA_MISMATCH: { retriable: false, description: 'a record does not match the schema it claims' },
  DESTINATION_REJECTED: { retriable: false, description: 'the destination permanently refused the record' },
  DESTINATION_UNAVAILABLE: { retriable: true, description: 'the destination failed in a way a retry can fix' },
  DESTINATION_MISCONFIGURED: { retriable: false, description: 'the destination refused the credentials, rule or stream; the stage stops' },
  SOURCE_UNAVAILABLE: { retriable: true, description: 'the source store failed in a way a retry can fix' },
  SOURCE_OBJECT_UNREADABLE: {
    retriable: false,
    description: 'a source object cannot be read (access denied, missing, corrupt compression); it is recorded as failed',
  },
  SOURCE_OBJECT_ACTION_FAILED: {
    retriable: false,
    description:
      'an after-ingest action (tag, move, delete) on a source object was refused or failed on every attempt; a DLQ record says which',
  },
  KAFKA_TRANSIENT: { retriable: true, description: 'a Kafka request failed in a way a retry can fix' },
  KAFKA_FATAL: { retriable: false, description: 'a Kafka request failed in a way a retry cannot fix' },
  KAFKA_FENCED: { retriable: false, description: 'another instance took over this transactional id' },
  KAFKA_STALLED: {
    retriable: false,
    description: 'the consumer was out of its group or the group did not settle for too long; the stage restarts',
  },
  REGISTRY_REFUSED: {
    retriable: false,
    description: 'the schema registry refused the credentials, or its TLS certificate is not trusted; the stage does not start',
  },
  DLQ_UNWRITABLE: { retriable: false, description: 'the dead-letter topic could not be written; the stage stops' },
  MODEL_TRAINING_FAILED: { retriable: false, description: 'model training (models/train.py) failed or had too little data' },
  OPERATION_REFUSED: {
    retriable: false,
    description: 'an operations command (replay, dlq) refused to act, e.g. the group has live members',
  },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class SiemStreamError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly stage: string | undefined;

  constructor(code: ErrorCode, message: string, options: { stage?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SiemStreamError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.stage = options.stage;
  }
}

/** Faults of one record (it goes to the DLQ), as opposed to faults of the infrastructure (retry or stop). */
const RECORD_FAULTS: ReadonlySet<ErrorCode> = new Set([
  'RECORD_UNPARSEABLE',
  'RECORD_INVALID',
  'RECORD_TOO_LARGE',
  'SCHEMA_MISMATCH',
  'DESTINATION_REJECTED',
]);

export function isRecordFault(error: unknown): error is SiemStreamError {
  return error instanceof SiemStreamError && RECORD_FAULTS.has(error.code);
}

export function isSiemStreamError(error: unknown): error is SiemStreamError {
  return error instanceof SiemStreamError;
}

/** The code metrics and DLQ headers carry: the project's code, or UNEXPECTED for anything else. */
export function errorCodeOf(error: unknown): ErrorCode | 'UNEXPECTED' {
  return isSiemStreamError(error) ? error.code : 'UNEXPECTED';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
