import type { KafkaConfig } from '../src/config/schema.js';
import { createKafka, PRODUCER_DEFAULTS } from '../src/kafka/client-factory.js';
import { runTransactionalLoop } from '../src/kafka/transactional-loop.js';
import { rootLogger } from '../src/observability/logger.js';

/**
 * Child process of bench/e2e.ts: one hop of the baseline chain, `from` → `to`, records copied as
 * they are (no Avro, no parsing). Plain: a consumer and producer of the project's client (librdkafka's KafkaJS API), no transactions, offsets
 * auto-committed. Transactional: the project's transactional loop with an identity transform, so
 * the difference to plain is the cost of exactly-once alone. Runs until SIGTERM.
 */
export interface HopSpec {
  kafka: KafkaConfig;
  from: string;
  to: string;
  groupId: string;
  transactional: boolean;
  dlqTopic: string;
  maxRecordsPerTransaction: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as HopSpec;
const logger = rootLogger.child({ bench: 'e2e-baseline-hop', groupId: spec.groupId });
const kafka = createKafka(spec.kafka, 'bench-hop');
let stop: () => Promise<void>;

if (spec.transactional) {
  const loop = await runTransactionalLoop({
    kafka: spec.kafka,
    stage: 'bench-hop',
    groupId: spec.groupId,
    topics: [spec.from],
    dlqTopic: spec.dlqTopic,
    maxRecordsPerTransaction: spec.maxRecordsPerTransaction,
    logger,
    transform: async (record) => ({
      kind: 'emit',
      records: [{ topic: spec.to, key: record.message.key, value: record.message.value, headers: record.message.headers }],
    }),
  });
  stop = () => loop.stop();
} else {
  const producer = kafka.producer(PRODUCER_DEFAULTS);
  const consumer = kafka.consumer({ kafkaJS: { groupId: spec.groupId, sessionTimeout: spec.kafka.sessionTimeoutMs, fromBeginning: true } });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [spec.from] });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      await producer.send({
        topic: spec.to,
        messages: batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      });
    },
  });
  stop = async () => {
    await consumer.disconnect();
    await producer.disconnect();
  };
}

process.once('SIGTERM', () => {
  stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
