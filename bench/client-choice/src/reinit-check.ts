/**
 * Does a second process with the same transactional id get a producer? (What every restart of a
 * stage with a stable transactional id does.)   vite-node src/reinit-check.ts
 */
import { randomUUID } from 'node:crypto';
import confluent from '@confluentinc/kafka-javascript';
import { ProduceAcks, Producer } from '@platformatic/kafka';
import { createTopics } from './harness.js';
import { DIRECT_BROKERS } from './settings.js';

const topic = `cc-reinit-${randomUUID().slice(0, 6)}`;
await createTopics([topic]);
const codes = (e: unknown): string => {
  const found: string[] = [];
  const walk = (x: unknown, d: number) => {
    if (!x || typeof x !== 'object' || d > 5) return;
    const y = x as { apiId?: string; errors?: unknown[] };
    if (y.apiId) found.push(y.apiId);
    for (const i of y.errors ?? []) walk(i, d + 1);
  };
  walk(e, 0);
  return `${(e as Error).message} [${found.join(',')}]`;
};

for (const mode of ['closed', 'crashed'] as const) {
  const id = `cc-reinit-plt-${mode}-${randomUUID().slice(0, 6)}`;
  for (let life = 1; life <= 3; life++) {
    const p = new Producer({
      clientId: `reinit-${life}`,
      bootstrapBrokers: DIRECT_BROKERS,
      transactionalId: id,
      idempotent: true,
      acks: ProduceAcks.ALL,
      retries: 3,
      retryDelay: 200,
    });
    try {
      const t = await p.beginTransaction();
      await t.send({ messages: [{ topic, key: Buffer.from('k'), value: Buffer.from(`life ${life}`) }] });
      await t.commit();
      console.log(`platformatic, previous life ${mode}: life ${life} producerId ${p.producerId} epoch ${p.producerEpoch}: ok`);
    } catch (error) {
      console.log(`platformatic, previous life ${mode}: life ${life}: FAILED ${codes(error)}`);
    }
    if (mode === 'closed') await p.close().catch(() => undefined);
    else await new Promise<void>((resolve) => p.close(true, () => resolve()));
  }
}

const { KafkaJS } = confluent;
const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: DIRECT_BROKERS, logLevel: KafkaJS.logLevel.NOTHING } });
const id = `cc-reinit-ck-${randomUUID().slice(0, 6)}`;
for (let life = 1; life <= 3; life++) {
  const p = kafka.producer({ kafkaJS: { transactionalId: id } });
  try {
    await p.connect();
    const t = await p.transaction();
    await t.send({ topic, messages: [{ key: 'k', value: `life ${life}` }] });
    await t.commit();
    console.log(`confluent: life ${life}: ok`);
  } catch (error) {
    console.log(`confluent: life ${life}: FAILED ${(error as Error).message}`);
  }
  await p.disconnect().catch(() => undefined);
}
process.exit(0);
