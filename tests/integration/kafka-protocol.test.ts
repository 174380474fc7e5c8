import { describe, expect, it } from 'vitest';
import type { KafkaConfig } from '../../src/config/schema.js';
import { ensureTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
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
  type GroupDescription,
  KafkaProtocolError,
  type ProtocolKafkaConfig,
} from '../../src/kafka/protocol/index.js';
import { requestClusterMetadata } from '../../src/kafka/protocol/metadata.js';
import { createRdKafka } from '../../src/kafka/rdkafka.js';
import { securedTopology } from '../support/secured-topology.js';
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
 * IncrementalAlterConfigs v0, SaslAuthenticate v0, FindCoordinator v1, DescribeGroups v1.
 */
const CLASSIC_VERSIONS = new Map([
  [API.metadata.key, 4],
  [API.describeConfigs.key, 1],
  [API.incrementalAlterConfigs.key, 0],
  [API.saslAuthenticate.key, 0],
  [API.findCoordinator.key, 1],
  [API.describeGroups.key, 1],
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

describe('the protocol client against the secured listener (SASL_SSL, SCRAM-SHA-512, its own CA)', () => {
  it('describes a topic’s config over SASL_SSL with the CA file and the password from a file', async () => {
    const { topology } = securedTopology();
    expect(topology.kafka.sasl?.passwordFile).toBeDefined();
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

  it('fails a wrong password with a SASL authentication error, and an untrusted certificate with the TLS reason', async () => {
    const { topology } = securedTopology();
    const wrong = {
      ...topology.kafka,
      sasl: { mechanism: 'scram-sha-512' as const, username: topology.kafka.sasl?.username ?? '', password: 'not-the-password' },
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
