import type { Kafka } from '../../src/kafka/client.js';
import { PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import type { EventCodec } from '../../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../../src/schemas/events.js';

/** Writes normalized events to a topic as the parser would (Avro values, keyed by entity), 500 per send. */
export async function produceNormalizedEvents(kafka: Kafka, codec: EventCodec<NormalizedEvent>, events: NormalizedEvent[]): Promise<void> {
  await codec.register();
  const producer = kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  try {
    const messages = await Promise.all(events.map(async (e) => ({ key: e.EntityKey, value: await codec.encode(e) })));
    for (let i = 0; i < messages.length; i += 500) await producer.send({ topic: codec.topic, messages: messages.slice(i, i + 500) });
  } finally {
    await producer.disconnect();
  }
}
