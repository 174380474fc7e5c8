import type { Topology } from '../src/config/schema.js';
import { topicNames } from '../src/config/topics.js';
import type { Kafka } from '../src/kafka/client.js';
import { PEER_FORMATS, type PeerMeasurement, peerTopicsOf, startPeerFor } from './parser-streams.js';

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
  const logTypes = Object.keys(topology.logTypes).filter((t) => PEER_FORMATS.has(topology.logTypes[t]?.format ?? ''));
  const unported = Object.keys(topology.logTypes).length - logTypes.length;
  const topics = peerTopicsOf(topology);
  const peer = await startPeerFor(kafka, topology, home, progress);
  try {
    progress(`${expected} raw records of ${logTypes.join(', ')} (log types without a port, left out: ${unported})`);
    return await peer.run({
      applicationId: `${topology.parser.groupId}-kstreams`,
      inputTopics: logTypes.map((name) => names.raw(name)),
      outputTopic: topics.normalized,
      dlqTopic: topics.dlq,
      expected,
      logTypes,
      streams: {},
    });
  } finally {
    await peer.stop();
  }
}
