/**
 * The API the project needs, tried for real against the local Kafka 4.4.0 stack, per client:
 * every row prints ok, MISSING (no such call in the client's API) or FAILED (the call exists and
 * failed here, with the error).   vite-node src/api-check.ts
 */

import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import confluent from '@confluentinc/kafka-javascript';
import * as plt from '@platformatic/kafka';
import { secureKafkaEndpoint } from '../../../src/dev/stack/kafka.js';
import { BENCH_DIR, DIRECT_BROKERS, HOME, PORTS } from './settings.js';

const { KafkaJS } = confluent;
type Row = { client: string; need: string; result: string };
const rows: Row[] = [];
async function check(client: string, need: string, fn: () => Promise<string | undefined>): Promise<void> {
  let result: string;
  try {
    result = (await fn()) ?? 'ok';
  } catch (error) {
    result = `FAILED: ${(error as Error).message.split('\n')[0]?.slice(0, 160)}`;
  }
  rows.push({ client, need, result });
  console.log(`${client.padEnd(12)} ${need.padEnd(34)} ${result}`);
}
const run = randomUUID().slice(0, 6);
const topic = `cc-api-${run}`;
const group = `cc-api-g-${run}`;
const secure = secureKafkaEndpoint({ home: HOME, ports: PORTS, brokers: 3, progress: () => undefined });
const ca = readFileSync(secure.caFile, 'utf8');

// ---------- confluent (KafkaJS-compatible API; the node-rdkafka AdminClient underneath is checked too) ----------
{
  const c = 'confluent';
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: DIRECT_BROKERS, logLevel: KafkaJS.logLevel.NOTHING } });
  const admin = kafka.admin();
  await admin.connect();
  const a = admin as unknown as Record<string, unknown>;
  const rd = confluent.AdminClient.create({ 'bootstrap.servers': DIRECT_BROKERS.join(',') }) as unknown as Record<string, unknown>;
  const has = (name: string) => typeof a[name] === 'function' || typeof rd[name] === 'function';
  await check(c, 'createTopics', async () => {
    await admin.createTopics({ topics: [{ topic: `${topic}-c`, numPartitions: 6, replicationFactor: 3 }] });
    return undefined;
  });
  for (const [need, names] of [
    ['describeConfigs (max.message.bytes)', ['describeConfigs']],
    ['alterConfigs', ['alterConfigs', 'incrementalAlterConfigs']],
    ["set a group's offsets (replay)", ['setOffsets', 'alterConsumerGroupOffsets']],
  ] as const) {
    await check(c, need, async () => (names.some(has) ? 'present' : `MISSING (no ${names.join('/')} in Admin or AdminClient)`));
  }
  // produce keyed records, one compression each, and read them back
  for (const compression of ['zstd', 'lz4'] as const) {
    await check(c, `${compression} produce + consume`, async () => {
      const p = kafka.producer({ 'compression.type': compression, kafkaJS: { idempotent: true } });
      await p.connect();
      await p.send({ topic: `${topic}-c`, messages: [{ key: 'k', value: 'x'.repeat(500) }] });
      await p.disconnect();
      return undefined;
    });
  }
  await check(c, 'listing committed offsets', async () => {
    const consumer = kafka.consumer({ kafkaJS: { groupId: group, fromBeginning: true, autoCommit: false } });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${topic}-c`] });
    let seen = 0;
    await consumer.run({ eachMessage: async () => void seen++ });
    for (let i = 0; i < 60 && seen < 2; i++) await new Promise((r) => setTimeout(r, 500));
    await consumer.commitOffsets();
    await consumer.disconnect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [`${topic}-c`], requireStableOffsets: true });
    return `ok (read back ${seen} compressed records; committed ${offsets[0]?.partitions.filter((p) => Number(p.offset) > 0).length} partitions)`;
  });
  await check(c, 'topic end offsets', async () => `ok (${(await admin.fetchTopicOffsets(`${topic}-c`)).length} partitions)`);
  await check(c, 'describeGroups', async () => `ok (${(await admin.describeGroups([group])).groups[0]?.state})`);
  await check(c, 'deleteGroups', async () => void (await admin.deleteGroups([group])));
  await check(c, 'SASL_SSL SCRAM-SHA-512', async () => {
    const k = new KafkaJS.Kafka({
      kafkaJS: {
        brokers: secure.brokers,
        ssl: true,
        sasl: { mechanism: 'scram-sha-512', username: secure.sasl.username, password: secure.sasl.password },
        logLevel: KafkaJS.logLevel.NOTHING,
      },
      'ssl.ca.pem': ca,
    } as never);
    const ad = k.admin();
    await ad.connect();
    const topics = await ad.listTopics();
    await ad.disconnect();
    return `ok (${topics.length} topics listed)`;
  });
  await check(c, 'OAUTHBEARER', async () => 'present (kafkaJS sasl oauthbearer with oauthBearerProvider; not tried: no OAuth broker here)');
  await check(
    c,
    'murmur2 like Java',
    async () => 'partitioner murmur2_random (librdkafka: Java-compatible for keyed records), set by the KafkaJS layer',
  );
  await admin.disconnect();
}

// ---------- platformatic ----------
{
  const c = 'platformatic';
  const base = { clientId: 'cc-api', bootstrapBrokers: DIRECT_BROKERS };
  const admin = new plt.Admin(base);
  const t = `${topic}-p`;
  await check(c, 'createTopics', async () => void (await admin.createTopics({ topics: [t], partitions: 6, replicas: 3 })));
  await check(c, 'describeConfigs (max.message.bytes)', async () => {
    const d = await admin.describeConfigs({
      resources: [{ resourceType: plt.ConfigResourceTypes.TOPIC, resourceName: t, configurationKeys: ['max.message.bytes'] }],
    });
    return `ok (max.message.bytes=${d[0]?.configs.find((x) => x.name === 'max.message.bytes')?.value})`;
  });
  await check(c, 'alterConfigs', async () => {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: plt.ConfigResourceTypes.TOPIC,
          resourceName: t,
          configs: [{ name: 'max.message.bytes', configOperation: 0, value: '400000' }],
        },
      ],
    } as never);
    const d = await admin.describeConfigs({
      resources: [{ resourceType: plt.ConfigResourceTypes.TOPIC, resourceName: t, configurationKeys: ['max.message.bytes'] }],
    });
    return `ok (now ${d[0]?.configs.find((x) => x.name === 'max.message.bytes')?.value})`;
  });
  for (const compression of ['zstd', 'lz4'] as const) {
    await check(c, `${compression} produce + consume`, async () => {
      const p = new plt.Producer({ ...base, idempotent: true, compression });
      await p.send({ messages: [{ topic: t, key: Buffer.from('k'), value: Buffer.from('x'.repeat(500)) }] });
      await p.close();
      return undefined;
    });
  }
  await check(c, 'read back (consume)', async () => {
    const consumer = new plt.Consumer({ ...base, groupId: group, autocommit: false });
    const stream = await consumer.consume({ topics: [t], mode: 'earliest', autocommit: false, maxWaitTime: 500 });
    let seen = 0;
    const deadline = Date.now() + 15_000;
    for await (const _m of stream) {
      seen++;
      if (seen >= 1 || Date.now() > deadline) break;
    }
    await stream.close();
    await consumer.close(true);
    return `ok (${seen} record read back)`;
  });
  await check(c, "set a group's offsets (replay)", async () => {
    await admin.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: t, partitionOffsets: [{ partition: 0, offset: 0n }] }] });
    return undefined;
  });
  await check(c, 'listing committed offsets', async () => {
    const l = await admin.listConsumerGroupOffsets({ groups: [group], requireStable: true });
    return `ok (${l[0]?.topics.length ?? 0} topics)`;
  });
  await check(c, 'topic end offsets', async () => {
    const consumer = new plt.Consumer({ ...base, groupId: `${group}-x` });
    const o = await consumer.listOffsets({ topics: [t] });
    await consumer.close(true);
    return `ok (${o.get(t)?.length} partitions)`;
  });
  await check(c, 'describeGroups', async () => `ok (${(await admin.describeGroups({ groups: [group] })).get(group)?.state})`);
  await check(c, 'deleteGroups', async () => void (await admin.deleteGroups({ groups: [group] })));
  await check(c, 'SASL_SSL SCRAM-SHA-512', async () => {
    const ad = new plt.Admin({
      clientId: 'cc-api-secure',
      bootstrapBrokers: secure.brokers,
      tls: { ca },
      sasl: { mechanism: 'SCRAM-SHA-512', username: secure.sasl.username, password: secure.sasl.password },
    });
    const topics = await ad.listTopics();
    await ad.close();
    return `ok (${topics.length} topics listed)`;
  });
  await check(
    c,
    'OAUTHBEARER',
    async () => 'present (sasl mechanism OAUTHBEARER with token or token provider; not tried: no OAuth broker here)',
  );
  await check(c, 'murmur2 like Java', async () => {
    // the project's partitioner is kafkajs's DefaultPartitioner, Java's murmur2 (toPositive, then modulo)
    // kafkajs only now: the project's fixes (imported through dist/dev/stack/kafka.js) must load first
    const { default: kafkajs } = await import('kafkajs');
    const java = kafkajs.Partitioners.DefaultPartitioner();
    const meta = { partitionMetadata: Array.from({ length: 6 }, (_, i) => ({ partitionId: i, leader: 1 })) };
    let differDefault = 0;
    let differCompat = 0;
    for (let i = 0; i < 1000; i++) {
      const key = Buffer.from(`host-${i}`);
      const j = java({ topic: 't', ...meta, message: { key, value: null } } as never);
      if (plt.defaultPartitioner({} as never, key) % 6 !== j) differDefault++;
      if (plt.compatibilityPartitioner({} as never, key) % 6 !== j) differCompat++;
    }
    return `default partitioner differs from Java for ${differDefault}/1000 keys (murmur2 >>> 0); compatibilityPartitioner (pass it explicitly) differs for ${differCompat}/1000`;
  });
  await admin.close();
}
writeFileSync(join(BENCH_DIR, 'results', 'api-check.json'), `${JSON.stringify(rows, null, 2)}\n`);
process.exit(0);
