import { afterAll, describe, expect, inject, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { emulatorGet } from '../../src/dev/emulator-stats.js';
import { LOCAL_STREAMS } from '../../src/dev/local-stack.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { type RunningStage, stageNames, startStage } from '../../src/runtime/stages.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { parseWorkItem } from '../../src/stages/s3-source/work-item.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import {
  type AwsObject,
  albObject,
  classicElbObject,
  cloudTrailDigest,
  cloudTrailObject,
  guardDutyObject,
  s3AccessObject,
  vpcFlowObject,
  wafObject,
} from './aws-layouts-fixtures.js';
import { createBucket, put } from './s3-source-support.js';

interface EmulatorRecord {
  table: string;
  record: Record<string, unknown>;
}

async function acceptedFrom(bucket: string): Promise<EmulatorRecord[]> {
  const stack = inject('stack');
  const all = await emulatorGet<{ records: EmulatorRecord[] }>(stack.emulatorUrl, stack.emulatorCaFile, '/_emulator/records');
  return all.records.filter((r) => r.record.SourceBucket === bucket);
}

const TABLE_OF: Record<string, string> = {
  NetworkSession: LOCAL_STREAMS['Custom-SiemNetworkSession'],
  Authentication: LOCAL_STREAMS['Custom-SiemAuthentication'],
  AuditEvent: LOCAL_STREAMS['Custom-SiemEvent'],
  WebSession: LOCAL_STREAMS['Custom-SiemEvent'],
  Event: LOCAL_STREAMS['Custom-SiemEvent'],
};

describe('a bucket laid out as AWS delivers it, read with only the bucket set', () => {
  const stages: RunningStage[] = [];
  afterAll(async () => {
    await Promise.allSettled(stages.reverse().map((s) => s.stop()));
  });

  it('routes every service by its key, delivers every record with its schema and time, and skips the CloudTrail digest', async () => {
    // topologies/default.yaml as it ships, pointed at the test stack: no routes or log types written for this test
    const topology = testTopology();
    const bucket = topology.source.s3.bucket;
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const s3 = createS3Client(topology.source.s3);
    await createBucket(s3, bucket);

    const digest = cloudTrailDigest('');
    const objects: AwsObject[] = [
      cloudTrailObject('', 60),
      cloudTrailObject('org-trail/', 12),
      digest,
      vpcFlowObject(300),
      albObject(250),
      classicElbObject(20),
      wafObject(80),
      guardDutyObject(15),
      s3AccessObject(40),
    ];
    for (const o of objects) await put(s3, bucket, o.key, o.body);
    const expected = new Map<string, AwsObject['events'][number]>(
      objects.flatMap((o) => o.events.map((e) => [`${o.key}#${e.recordNumber}`, e] as const)),
    );

    for (const name of stageNames(topology)) stages.push(await startStage(topology, name));
    await waitFor(
      'the emulator to hold every record of every object',
      async () => ((await acceptedFrom(bucket)).length >= expected.size ? true : undefined),
      240_000,
    );
    await new Promise((r) => setTimeout(r, 3_000)); // anything duplicated or late arrives before counting
    const accepted = await acceptedFrom(bucket);

    expect(accepted).toHaveLength(expected.size);
    const seen = new Set<string>();
    for (const { table, record } of accepted) {
      const position = `${record.SourceKey}#${record.SourceRecordNumber}`;
      const want = expected.get(position);
      expect(want, position).toBeDefined();
      expect(seen.has(position), `${position} twice`).toBe(false);
      seen.add(position);
      expect(record.EventSchema, position).toBe(want?.schema);
      expect(Date.parse(String(record.TimeGenerated)), position).toBe(want?.time);
      expect(table, position).toBe(TABLE_OF[String(record.EventSchema)]);
    }
    const logTypeOf = (key: string) => new Set(accepted.filter((r) => r.record.SourceKey === key).map((r) => r.record.LogType));
    expect([...logTypeOf(objects[0]?.key as string)]).toEqual(['cloudtrail']);
    expect([...logTypeOf(objects[8]?.key as string)]).toEqual(['s3access']);
    const schemas = new Set(accepted.map((r) => r.record.EventSchema));
    expect([...schemas].sort()).toEqual(['AuditEvent', 'Authentication', 'Event', 'NetworkSession', 'WebSession']);

    // the digest file was never even a work item, so it produced nothing and nothing about it is dead-lettered
    expect(accepted.some((r) => r.record.SourceKey === digest.key)).toBe(false);
    const work = (await readAll(kafka, names.sourceWork)).map((m) => parseWorkItem(m.message.value)?.key);
    expect(work).toHaveLength(objects.length - 1);
    expect(work).not.toContain(digest.key);
    for (const dlq of ['s3-source', 'parser', 'enricher', 'sentinel']) expect(await readAll(kafka, names.dlq(dlq)), dlq).toHaveLength(0);
  });
});
