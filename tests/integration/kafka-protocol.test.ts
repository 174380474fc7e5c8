import { describe, expect, it } from 'vitest';
import type { KafkaConfig } from '../../src/config/schema.js';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { requestAlterConfigs } from '../../src/kafka/protocol/alter-configs.js';
import { API } from '../../src/kafka/protocol/apis.js';
import { withCluster } from '../../src/kafka/protocol/cluster.js';
import { requestDescribeConfigs } from '../../src/kafka/protocol/describe-configs.js';
import { requestDescribeGroup, requestFindCoordinator } from '../../src/kafka/protocol/groups.js';
import {
  alterConfigs,
  describeCluster,
  describeConfigs,
  describeGroup,
  fetchGroupOffsets,
  type GroupDescription,
  KafkaProtocolError,
  type ProtocolKafkaConfig,
} from '../../src/kafka/protocol/index.js';
import { requestClusterMetadata } from '../../src/kafka/protocol/metadata.js';
import { committedOffsets, requestOffsetFetch } from '../../src/kafka/protocol/offsets.js';
import { createRdKafka } from '../../src/kafka/rdkafka.js';
import { passwordSasl, securedTopology } from '../support/secured-topology.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

/** A topic of its own on the test stack, made with the project's existing admin helper. */
async function newTopic(kafka: KafkaConfig): Promise<string> {
  const topic = `${testTopology().topics.prefix}protocol`;
  await ensureTopics(createKafka(kafka, 'protocol-test'), [{ topic, numPartitions: 1, replicationFactor: 1 }]);
  return topic;
}

async function configOf(kafka: KafkaConfig, type: 'topic' | 'broker', name: string, config: string) {
  const [resource] = await describeConfigs(kafka, [{ type, name, names: [config] }]);
  return resource?.configs.find((c) => c.name === config);
}

/**
 * The oldest layouts this client speaks, non-flexible all of them: Metadata v4, DescribeConfigs v1,
 * IncrementalAlterConfigs v0, SaslAuthenticate v0, FindCoordinator v1, DescribeGroups v1, OffsetFetch v2.
 */
const CLASSIC_VERSIONS = new Map([
  [API.metadata.key, 4],
  [API.describeConfigs.key, 1],
  [API.incrementalAlterConfigs.key, 0],
  [API.saslAuthenticate.key, 0],
  [API.findCoordinator.key, 1],
  [API.describeGroups.key, 1],
  [API.offsetFetch.key, 2],
]);

/** A librdkafka consumer of a topic of its own, in a group of its own, running (so it joins the group). */
async function joinedConsumer(kafka: KafkaConfig) {
  const topic = await newTopic(kafka);
  const groupId = `${testTopology().topics.prefix}group`;
  const { kafka: client, clientId } = createRdKafka(kafka, 'protocol-group');
  const consumer = client.consumer({ kafkaJS: { groupId, autoCommit: false } });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await consumer.run({ eachMessage: async () => {} });
  return { groupId, clientId, consumer };
}

/** The group once it is Stable with a member, as the protocol client describes it. */
function settledGroup(config: ProtocolKafkaConfig, groupId: string): Promise<GroupDescription> {
  return waitFor(
    `group ${groupId} to be Stable with a member`,
    async () => {
      const group = await describeGroup(config, groupId);
      return group.state === 'Stable' && group.members.length > 0 ? group : undefined;
    },
    60_000,
    500,
  );
}

/** The group's own DescribeGroups answer, error code included, from its coordinator at the versions given. */
function rawDescription(config: ProtocolKafkaConfig, groupId: string, maxVersions: ReadonlyMap<number, number>) {
  return withCluster(
    config,
    async (cluster) => requestDescribeGroup(await cluster.at(await requestFindCoordinator(await cluster.any(), groupId)), groupId),
    { maxVersions },
  );
}

describe('the project’s Kafka protocol client against a real broker', () => {
  it('describes the cluster: its brokers as advertised on the listener asked, and the controller id', async () => {
    const { kafka } = testTopology();
    const cluster = await describeCluster(kafka);
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(kafka.brokers);
    expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);
    expect(cluster.clusterId).toMatch(/^[\w-]{22}$/);
  });

  it('reads max.message.bytes and the broker’s message.max.bytes, sets the topic’s, reads it back, and deletes it back to the default', async () => {
    const { kafka } = testTopology();
    const topic = await newTopic(kafka);
    const { brokers } = await describeCluster(kafka);
    const brokerId = String(brokers[0]?.nodeId);

    // both resources in one call: the topic from any broker, the broker's config from that broker
    const [topicConfigs, brokerConfigs] = await describeConfigs(kafka, [
      { type: 'topic', name: topic, names: ['max.message.bytes'] },
      { type: 'broker', name: brokerId, names: ['message.max.bytes'] },
    ]);
    expect(topicConfigs?.name).toBe(topic);
    const brokerLimit = brokerConfigs?.configs.find((c) => c.name === 'message.max.bytes');
    expect(brokerLimit).toMatchObject({ value: '1048588', readOnly: false, sensitive: false });
    const before = topicConfigs?.configs.find((c) => c.name === 'max.message.bytes');
    expect(before).toMatchObject({ value: brokerLimit?.value, isDefault: true, source: 'DEFAULT_CONFIG' });

    await alterConfigs(kafka, [{ type: 'topic', name: topic, set: { 'max.message.bytes': '2097152', 'retention.ms': '3600000' } }]);
    expect(await configOf(kafka, 'topic', topic, 'max.message.bytes')).toMatchObject({
      value: '2097152',
      isDefault: false,
      source: 'DYNAMIC_TOPIC_CONFIG',
    });

    await alterConfigs(kafka, [{ type: 'topic', name: topic, delete: ['max.message.bytes'] }]);
    expect(await configOf(kafka, 'topic', topic, 'max.message.bytes')).toMatchObject({ value: brokerLimit?.value, isDefault: true });
    expect(await configOf(kafka, 'topic', topic, 'retention.ms')).toMatchObject({ value: '3600000' }); // incremental: untouched

    // the cluster-wide broker defaults (""): only what was set dynamically for every broker
    const [defaults] = await describeConfigs(kafka, [{ type: 'broker', name: '' }]);
    expect(defaults?.configs.every((c) => c.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG')).toBe(true);

    const [all] = await describeConfigs(kafka, [{ type: 'topic', name: topic }]);
    expect(all?.configs.length).toBeGreaterThan(20);
    expect(all?.configs.map((c) => c.name)).toEqual(expect.arrayContaining(['cleanup.policy', 'max.message.bytes', 'retention.ms']));
  });

  it('names the topic and Kafka’s error when the topic does not exist or a value is not valid', async () => {
    const { kafka } = testTopology();
    const missing = `${testTopology().topics.prefix}never-created`;
    const described = await describeConfigs(kafka, [{ type: 'topic', name: missing }]).catch((e: unknown) => e);
    expect(described).toBeInstanceOf(KafkaProtocolError);
    expect((described as Error).message).toBe(
      `describing the configs of topic "${missing}" failed: UNKNOWN_TOPIC_OR_PARTITION (the topic does not exist)`,
    );
    expect(described).toMatchObject({ kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION' });

    await expect(alterConfigs(kafka, [{ type: 'topic', name: missing, set: { 'max.message.bytes': '2097152' } }])).rejects.toThrow(
      `altering the configs of topic "${missing}" failed: UNKNOWN_TOPIC_OR_PARTITION`,
    );
    const topic = await newTopic(kafka);
    await expect(alterConfigs(kafka, [{ type: 'topic', name: topic, set: { 'max.message.bytes': 'lots' } }])).rejects.toThrow(
      new RegExp(`altering the configs of topic "${topic}" failed: INVALID_CONFIG \\(.*lots.*\\)`),
    );
  });

  it('speaks the classic (non-flexible) versions of each request too', async () => {
    const { kafka } = testTopology();
    const topic = await newTopic(kafka);
    await withCluster(
      kafka,
      async (cluster) => {
        const session = await cluster.any();
        expect((await requestClusterMetadata(session)).brokers.map((b) => `${b.host}:${b.port}`)).toEqual(kafka.brokers);
        await requestAlterConfigs(session, [{ type: 'topic', name: topic, set: { 'max.message.bytes': '3000000' } }], false);
        const [configs] = await requestDescribeConfigs(session, [{ type: 'topic', name: topic, names: ['max.message.bytes'] }]);
        expect(configs?.configs).toEqual([
          {
            name: 'max.message.bytes',
            value: '3000000',
            source: 'DYNAMIC_TOPIC_CONFIG',
            isDefault: false,
            readOnly: false,
            sensitive: false,
          },
        ]);
      },
      { maxVersions: CLASSIC_VERSIONS },
    );
    expect(await configOf(kafka, 'topic', topic, 'max.message.bytes')).toMatchObject({ value: '3000000' });
  });

  it('describes a group a consumer has joined: Stable, with the member of the consumer’s client id; at the classic versions too', async () => {
    const { kafka } = testTopology();
    const { groupId, clientId, consumer } = await joinedConsumer(kafka);
    try {
      const group = await settledGroup(kafka, groupId);
      expect(group).toEqual({
        groupId,
        state: 'Stable',
        members: [{ memberId: expect.stringMatching(new RegExp(`^${clientId}-`)), clientId, clientHost: '/127.0.0.1' }],
      });
      expect(await rawDescription(kafka, groupId, CLASSIC_VERSIONS)).toEqual({ ...group, errorCode: 0, errorMessage: null });
    } finally {
      await consumer.disconnect();
    }
    // the consumer left the group on the way out
    expect(await describeGroup(kafka, groupId)).toEqual({ groupId, state: 'Empty', members: [] });
  });

  it('describes a group nobody joined as Dead with no members: v6 answers GROUP_ID_NOT_FOUND, v5 and older Dead', async () => {
    const { kafka } = testTopology();
    const groupId = `${testTopology().topics.prefix}never-joined`;
    expect(await describeGroup(kafka, groupId)).toEqual({ groupId, state: 'Dead', members: [] });
    expect(await rawDescription(kafka, groupId, new Map())).toEqual({
      groupId,
      errorCode: 69,
      errorMessage: expect.any(String),
      state: expect.any(String),
      members: [],
    });
    for (const version of [5, 1]) {
      const answer = await rawDescription(kafka, groupId, new Map([[API.describeGroups.key, version]]));
      expect(answer).toEqual({ groupId, errorCode: 0, errorMessage: null, state: 'Dead', members: [] });
    }
  });

  it('checks a change with validateOnly without making it', async () => {
    const { kafka } = testTopology();
    const topic = await newTopic(kafka);
    await alterConfigs(kafka, [{ type: 'topic', name: topic, set: { 'max.message.bytes': '4000000' } }], { validateOnly: true });
    expect(await configOf(kafka, 'topic', topic, 'max.message.bytes')).toMatchObject({ isDefault: true });
  });
});

/** Two topics of their own (3 partitions and 1), and a group that committed on some of their partitions from outside (it never joins). */
async function groupWithOffsets(kafka: KafkaConfig) {
  const prefix = testTopology().topics.prefix;
  const [wide, narrow] = [`${prefix}offsets-wide`, `${prefix}offsets-narrow`];
  const client = createKafka(kafka, 'protocol-offsets');
  await ensureTopics(client, [
    { topic: wide, numPartitions: 3, replicationFactor: 1 },
    { topic: narrow, numPartitions: 1, replicationFactor: 1 },
  ]);
  const groupId = `${prefix}offsets`;
  const consumer = client.consumer({ kafkaJS: { groupId, autoCommit: false } });
  await consumer.connect();
  try {
    await consumer.commitOffsets([
      { topic: wide, partition: 0, offset: '5' },
      { topic: wide, partition: 2, offset: '12345678901', metadata: 'set by the test' },
      { topic: narrow, partition: 0, offset: '0' },
    ]);
  } finally {
    await consumer.disconnect();
  }
  return { client, groupId, wide, narrow };
}

/** The group's offsets as librdkafka's admin lists them: what the callers read before the protocol client. */
async function librdkafkaOffsets(client: ReturnType<typeof createKafka>, groupId: string, topics?: string[]) {
  const admin = client.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId, ...(topics ? { topics } : {}) });
    return offsets
      .map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition),
      }))
      .sort((a, b) => a.topic.localeCompare(b.topic));
  } finally {
    await admin.disconnect();
  }
}

const asStrings = (offsets: Awaited<ReturnType<typeof fetchGroupOffsets>>) =>
  offsets.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) })) }));

/** The group's own OffsetFetch answer, error codes included, from its coordinator at the versions given. */
function rawOffsets(config: ProtocolKafkaConfig, groupId: string, requireStable: boolean, maxVersions: ReadonlyMap<number, number>) {
  return withCluster(
    config,
    async (cluster) =>
      requestOffsetFetch(await cluster.at(await requestFindCoordinator(await cluster.any(), groupId)), groupId, requireStable),
    { maxVersions },
  );
}

describe('a group’s committed offsets through the protocol client (OffsetFetch) against a real broker', () => {
  it('lists the partitions the group committed on, with the offsets librdkafka’s fetchOffsets gave, and the metadata as the broker holds it', async () => {
    const { kafka } = testTopology();
    const { client, groupId, wide, narrow } = await groupWithOffsets(kafka);
    const all = await fetchGroupOffsets(kafka, groupId);
    expect(all).toEqual([
      { topic: narrow, partitions: [{ partition: 0, offset: 0n, leaderEpoch: expect.any(Number), metadata: '' }] },
      {
        topic: wide,
        partitions: [
          { partition: 0, offset: 5n, leaderEpoch: expect.any(Number), metadata: '' },
          // the binding commits the C string with its NUL (and cuts the last byte off what it reads)
          { partition: 2, offset: 12_345_678_901n, leaderEpoch: expect.any(Number), metadata: 'set by the test\u0000' },
        ],
      },
    ]);
    expect(asStrings(all)).toEqual(await librdkafkaOffsets(client, groupId));

    const some = await fetchGroupOffsets(kafka, groupId, [wide, `${testTopology().topics.prefix}never-committed`]);
    expect(some).toEqual([all[1]]);
    expect(asStrings(some)).toEqual(await librdkafkaOffsets(client, groupId, [wide]));
  });

  it('answers a group that never committed with no topics, at every version', async () => {
    const { kafka } = testTopology();
    const groupId = `${testTopology().topics.prefix}never-committed`;
    expect(await fetchGroupOffsets(kafka, groupId)).toEqual([]);
    for (const version of [7, 6, 5, 2]) {
      const answer = await rawOffsets(kafka, groupId, false, new Map([[API.offsetFetch.key, version]]));
      expect(answer, `v${version}`).toEqual({ errorCode: 0, topics: [] });
    }
  });

  it('speaks the classic (v2-v5) and the flexible (v6, v7) layouts: the same offsets, the leader epoch from v5', async () => {
    const { kafka } = testTopology();
    const { groupId } = await groupWithOffsets(kafka);
    const current = await fetchGroupOffsets(kafka, groupId);
    for (const version of [7, 6, 5]) {
      const answer = await rawOffsets(kafka, groupId, false, new Map([[API.offsetFetch.key, version]]));
      expect(committedOffsets(answer, groupId, 'k'), `v${version}`).toEqual(current);
    }
    const withoutEpochs = current.map((t) => ({ ...t, partitions: t.partitions.map((p) => ({ ...p, leaderEpoch: -1 })) }));
    for (const version of [4, 3, 2]) {
      const answer = await rawOffsets(kafka, groupId, false, new Map([[API.offsetFetch.key, version]]));
      expect(committedOffsets(answer, groupId, 'k'), `v${version}`).toEqual(withoutEpochs);
    }
    const classic = await withCluster(
      kafka,
      async (cluster) => {
        const coordinator = await cluster.at(await requestFindCoordinator(await cluster.any(), groupId));
        return committedOffsets(await requestOffsetFetch(coordinator, groupId, false), groupId, coordinator.address);
      },
      { maxVersions: CLASSIC_VERSIONS },
    );
    expect(classic).toEqual(withoutEpochs);
  });

  it('never answers the offsets of an open transaction; with require_stable it refuses them while the transaction is open', async () => {
    const { kafka } = testTopology();
    const { client, groupId, narrow } = await groupWithOffsets(kafka);
    const producer = client.producer({
      kafkaJS: { ...PRODUCER_DEFAULTS.kafkaJS, transactionalId: `${groupId}-txn`, maxInFlightRequests: 1 },
    });
    const consumer = client.consumer({ kafkaJS: { groupId, autoCommit: false } });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      const transaction = await producer.transaction();
      await transaction.sendOffsets({ consumer, topics: [{ topic: narrow, partitions: [{ partition: 0, offset: '7' }] }] });
      const committedOnly = (offsets: Awaited<ReturnType<typeof fetchGroupOffsets>>) => offsets[0]?.partitions[0]?.offset;
      expect(committedOnly(await fetchGroupOffsets(kafka, groupId, [narrow]))).toBe(0n);

      const raw = await rawOffsets(kafka, groupId, true, new Map());
      expect(raw.errorCode).toBe(0);
      expect(raw.topics.find((t) => t.topic === narrow)?.partitions).toEqual([
        expect.objectContaining({ partition: 0, offset: -1n, errorCode: 88 }),
      ]);
      const started = Date.now();
      const refused = await fetchGroupOffsets(kafka, groupId, [narrow], { requireStable: true }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(KafkaProtocolError);
      expect(refused).toMatchObject({ kafkaError: 'UNSTABLE_OFFSET_COMMIT', retriable: true });
      expect((refused as Error).message).toContain(`on ${narrow}:0 at `);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250 + 500 + 750); // asked 4 times in all
      // the other topic's partitions are not held back by it
      expect(await fetchGroupOffsets(kafka, groupId, [`${testTopology().topics.prefix}nothing-here`], { requireStable: true })).toEqual([]);

      await transaction.commit();
      expect(committedOnly(await fetchGroupOffsets(kafka, groupId, [narrow], { requireStable: true }))).toBe(7n);
      expect(committedOnly(await fetchGroupOffsets(kafka, groupId, [narrow]))).toBe(7n);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });
});

describe('the protocol client against the secured listener (SASL_SSL, SCRAM-SHA-512, its own CA)', () => {
  it('describes a topic’s config over SASL_SSL with the CA file and the password from a file', async () => {
    const { topology } = securedTopology();
    expect(passwordSasl(topology).passwordFile).toBeDefined();
    const topic = await newTopic(testTopology().kafka);
    const cluster = await describeCluster(topology.kafka);
    expect(cluster.brokers.map((b) => `${b.host}:${b.port}`)).toEqual(topology.kafka.brokers);
    expect(await configOf(topology.kafka, 'topic', topic, 'max.message.bytes')).toMatchObject({ value: '1048588', isDefault: true });
    await withCluster(topology.kafka, async (c) => expect((await c.clusterMetadata()).brokers).toHaveLength(cluster.brokers.length), {
      maxVersions: CLASSIC_VERSIONS,
    });
  });

  it('describes a group over SASL_SSL, at the current and the classic versions', async () => {
    const { topology } = securedTopology();
    const { groupId, clientId, consumer } = await joinedConsumer(testTopology().kafka);
    try {
      const group = await settledGroup(topology.kafka, groupId);
      expect(group.members.map((m) => m.clientId)).toEqual([clientId]);
      expect(await rawDescription(topology.kafka, groupId, CLASSIC_VERSIONS)).toMatchObject({
        errorCode: 0,
        state: 'Stable',
        members: group.members,
      });
    } finally {
      await consumer.disconnect();
    }
    const unknown = `${testTopology().topics.prefix}never-joined`;
    expect(await describeGroup(topology.kafka, unknown)).toEqual({ groupId: unknown, state: 'Dead', members: [] });
  });

  it('fetches a group’s committed offsets over SASL_SSL, at the current and the classic versions', async () => {
    const { topology } = securedTopology();
    const { groupId, wide } = await groupWithOffsets(testTopology().kafka);
    const offsets = await fetchGroupOffsets(topology.kafka, groupId, [wide]);
    expect(offsets.map((t) => t.partitions.map((p) => [p.partition, p.offset]))).toEqual([
      [
        [0, 5n],
        [2, 12_345_678_901n],
      ],
    ]);
    const classic = await rawOffsets(topology.kafka, groupId, false, CLASSIC_VERSIONS);
    expect(committedOffsets(classic, groupId, 'k', [wide]).map((t) => t.partitions.map((p) => p.offset))).toEqual([[5n, 12_345_678_901n]]);
  });

  it('fails a wrong password with a SASL authentication error, and an untrusted certificate with the TLS reason', async () => {
    const { topology } = securedTopology();
    const wrong = {
      ...topology.kafka,
      sasl: { mechanism: 'scram-sha-512' as const, username: passwordSasl(topology).username ?? '', password: 'not-the-password' },
    };
    const refused = await describeCluster(wrong).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KafkaProtocolError);
    expect((refused as Error).message).toMatch(/SASL.*authentication failed/i);
    expect(refused).toMatchObject({ retriable: false, kafkaError: 'SASL_AUTHENTICATION_FAILED' });
    await expect(withCluster(wrong, (c) => c.any(), { maxVersions: CLASSIC_VERSIONS })).rejects.toThrow(/SASL.*authentication failed/i);

    const plain = { ...wrong, sasl: { ...wrong.sasl, mechanism: 'plain' as const } };
    await expect(describeCluster(plain)).rejects.toThrow(
      /SASL handshake for PLAIN .*\(mechanisms enabled there: SCRAM-SHA-512\) failed: UNSUPPORTED_SASL_MECHANISM/,
    );

    const untrusted = { ...topology.kafka, ssl: { rejectUnauthorized: true } };
    await expect(describeCluster(untrusted)).rejects.toThrow(/self-signed certificate/);
    expect((await describeCluster({ ...topology.kafka, ssl: { rejectUnauthorized: false } })).brokers.length).toBeGreaterThan(0);
  });
});
