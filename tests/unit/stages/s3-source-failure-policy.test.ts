import { describe, expect, it } from 'vitest';
import { SiemStreamError } from '../../../src/errors.js';
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from '../../../src/kafka/client.js';
import { classifyKafkaError } from '../../../src/kafka/kafka-errors.js';
import { afterFailedAttempt } from '../../../src/stages/s3-source/failure-policy.js';

/** the shape kafkajs hands back when the broker refuses a batch: a protocol error wrapped by its retrier */
function brokerRefusal(type: string): SiemStreamError {
  // kafkajs's types declare narrower constructors than its JavaScript takes
  const Protocol = KafkaJSProtocolError as unknown as new (e: object) => Error;
  const NonRetriable = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error;
  const protocol = new Protocol({ type, code: 10, retriable: false, message: 'The request included a message larger than…' });
  return classifyKafkaError(new NonRetriable(protocol, { cause: protocol }), 's3-source');
}

describe('s3-source: what follows a failed attempt at an object', () => {
  const unavailable = new SiemStreamError('SOURCE_UNAVAILABLE', 'GetObject: 500 InternalError');

  it('retries what a retry can fix, then dead-letters the object if S3 itself answers', () => {
    expect(afterFailedAttempt(unavailable, 1, 3)).toBe('retry');
    expect(afterFailedAttempt(unavailable, 2, 3)).toBe('retry');
    expect(afterFailedAttempt(unavailable, 3, 3)).toBe('dead-letter-if-s3-answers');
  });

  it('retries a batch the broker refused (its limit may have been lowered), then dead-letters the object', () => {
    const refused = brokerRefusal('MESSAGE_TOO_LARGE');
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
    expect(afterFailedAttempt(brokerRefusal('TOPIC_AUTHORIZATION_FAILED'), 1, 3)).toBe('rethrow');
    expect(afterFailedAttempt(new SiemStreamError('DLQ_UNWRITABLE', 'dlq'), 1, 3)).toBe('rethrow');
  });
});
