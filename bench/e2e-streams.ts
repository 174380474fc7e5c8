import { join } from 'node:path';
import type { Topology } from '../src/config/schema.js';
import { topicNames } from '../src/config/topics.js';
import { ensureTopics } from '../src/kafka/admin.js';
import type { Kafka } from '../src/kafka/client.js';
import { EventCodec } from '../src/schemas/event-codec.js';
import type { NormalizedEvent } from '../src/schemas/events.js';
import { createRegistry } from '../src/schemas/registry-client.js';
import { buildPeer, PEER_FORMATS, type PeerMeasurement, startPeer } from './parser-streams.js';

/**
 * Kafka Streams doing the parse hop (bench/peers/kafka-streams-parser, exactly_once_v2) over the raw
 * topics the pipeline's source wrote in this run — the same records the parser stage read — into
 * topics of its own. `npm run bench:parser` compares it with the parser record for record.
 */
export async function runStreamsParseHop(
  kafka: Kafka,
  topology: Topology,
  home: string,
  expected: number,
  progress: (m: string) => void,
): Promise<PeerMeasurement> {
  const names = topicNames(topology);
  const logTypes = Object.entries(topology.logTypes).filter(([, config]) => PEER_FORMATS.has(config.format));
  const unported = Object.keys(topology.logTypes).filter((t) => !logTypes.some(([name]) => name === t));
  const topics = { normalized: `${names.normalized}.kstreams`, dlq: `${names.dlq('parser')}.kstreams` };
  const { partitions, replicationFactor } = topology.topics;
  await ensureTopics(kafka, [
    { topic: topics.normalized, numPartitions: partitions, replicationFactor },
    { topic: topics.dlq, numPartitions: partitions, replicationFactor },
  ]);
  const schemaId = await new EventCodec<NormalizedEvent>(
    createRegistry(topology.schemaRegistry),
    names.normalized,
    'normalized',
  ).register();
  const peer = await startPeer(
    await buildPeer(progress),
    {
      bootstrapServers: topology.kafka.brokers.join(','),
      schemaId,
      stateDir: join(home, 'kafka-streams-parser', 'state'),
      logTypes: Object.fromEntries(logTypes) as Topology['logTypes'],
      entityKeys: topology.parser.entityKeys,
    },
    join(home, 'kafka-streams-parser'),
    progress,
  );
  try {
    progress(
      `${expected} raw records of ${logTypes.map(([name]) => name).join(', ')} (log types without a port, left out: ${unported.length})`,
    );
    return await peer.run({
      applicationId: `${topology.parser.groupId}-kstreams`,
      inputTopics: logTypes.map(([name]) => names.raw(name)),
      outputTopic: topics.normalized,
      dlqTopic: topics.dlq,
      expected,
      logTypes: logTypes.map(([name]) => name),
      streams: {},
    });
  } finally {
    await peer.stop();
  }
}
