import type { Topology } from '../config/schema.js';
import { topicNames } from '../config/topics.js';
import { SiemStreamError } from '../errors.js';
import { sinkInputTopic } from '../sinks/sink-input.js';

/** A consuming stage as operators see it: its consumer group and the topics it reads. */
export interface StageGroup {
  stage: string;
  group: string;
  topics: string[];
}

export function sinkGroupId(sink: { name: string; groupId?: string | undefined }): string {
  return sink.groupId ?? `siem-sink-${sink.name}`;
}

/** Every consumer group of a topology (the s3-source has none: its progress lives in `source-offsets`). */
export function stageGroups(topology: Topology): StageGroup[] {
  const names = topicNames(topology);
  return [
    { stage: 'parser', group: topology.parser.groupId, topics: names.allRaw },
    { stage: 'enricher', group: topology.enricher.groupId, topics: [names.normalized] },
    ...topology.sinks.map((s) => ({ stage: s.name, group: sinkGroupId(s), topics: [sinkInputTopic(names, s.input)] })),
  ];
}

export function stageGroup(topology: Topology, stage: string): StageGroup {
  const found = stageGroups(topology).find((g) => g.stage === stage);
  if (!found) {
    const known = stageGroups(topology)
      .map((g) => g.stage)
      .join(', ');
    const hint = stage === 's3-source' ? ' (the s3-source has no consumer group; its progress is in the source-offsets topic)' : '';
    throw new SiemStreamError('CONFIG_INVALID', `stage "${stage}" has no consumer group${hint}; stages with one: ${known}`);
  }
  return found;
}
