import { describe, expect, it } from 'vitest';
import { SiemStreamError } from '../../../src/errors.js';
import { KafkaJSError } from '../../../src/kafka/client.js';
import { classifyKafkaError } from '../../../src/kafka/kafka-errors.js';
import { RdErrorCodes } from '../../../src/kafka/rdkafka.js';
import { afterFailedAttempt } from '../../../src/stages/s3-source/failure-policy.js';

/** the shape the client hands back when the broker refuses a transaction's records: an abortable error with the broker's code */
function brokerRefusal(code: keyof typeof RdErrorCodes): SiemStreamError {
  const refusal = new KafkaJSError('Broker: refused', { code: RdErrorCodes[code], abortable: true });
  return classifyKafkaError(refusal, 's3-source');
}

describe('s3-source: what follows a failed attempt at an object', () => {
  const unavailable = new SiemStreamError('SOURCE_UNAVAILABLE', 'GetObject: 500 InternalError');

  it('retries what a retry can fix, then dead-letters the object if S3 itself answers', () => {
    expect(afterFailedAttempt(unavailable, 1, 3)).toBe('retry');
    expect(afterFailedAttempt(unavailable, 2, 3)).toBe('retry');
    expect(afterFailedAttempt(unavailable, 3, 3)).toBe('dead-letter-if-s3-answers');
  });

  it('retries a batch the broker refused (its limit may have been lowered), then dead-letters the object', () => {
    const refused = brokerRefusal('ERR_MSG_SIZE_TOO_LARGE');
    expect(refused.code).toBe('KAFKA_FATAL');
    expect(afterFailedAttempt(refused, 1, 3)).toBe('retry');
    expect(afterFailedAttempt(refused, 3, 3)).toBe('dead-letter');
  });

  it('dead-letters an object that throws something unexpected on every attempt', () => {
    expect(afterFailedAttempt(new TypeError('x is undefined'), 1, 2)).toBe('retry');
    expect(afterFailedAttempt(new TypeError('x is undefined'), 2, 2)).toBe('dead-letter');
  });

  it('never blames the object for Kafka: transient errors retry and then restart the consumer, fatal ones stop it', () => {
    const transient = new SiemStreamError('KAFKA_TRANSIENT', 'request timed out');
    expect(afterFailedAttempt(transient, 1, 3)).toBe('retry');
    expect(afterFailedAttempt(transient, 3, 3)).toBe('rethrow');
    expect(afterFailedAttempt(new SiemStreamError('KAFKA_FENCED', 'fenced'), 1, 3)).toBe('rethrow');
    expect(afterFailedAttempt(brokerRefusal('ERR_TOPIC_AUTHORIZATION_FAILED'), 1, 3)).toBe('rethrow');
    expect(afterFailedAttempt(new SiemStreamError('DLQ_UNWRITABLE', 'dlq'), 1, 3)).toBe('rethrow');
  });
});
