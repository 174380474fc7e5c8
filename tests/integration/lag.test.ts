import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { setGroupOffsets } from '../../src/ops/set-group-offsets.js';
import { sinkGroupId } from '../../src/ops/stage-groups.js';
import { kafkaConsumerGroupsDescribe } from '../support/lag-kafka-consumer-groups.js';
import { runCli, topologyFile } from '../support/ops-cli.js';
import { exited, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const PER_PARTITION = 120;
const HOUR_AGO = Date.now() - 3_600_000;

interface JsonRow {
  group: string;
  topic: string;
  partition: number;
  committed: string | null;
  logStart: string;
  end: string;
  lag: string;
  lagSeconds: number | null;
  dataLoss: boolean;
  lostRecords: string;
  members?: number;
  groupState?: string;
}

/** Records 0..n-1 on each partition, record i stamped HOUR_AGO + i seconds. */
async function produceStamped(kafka: ReturnType<typeof createKafka>, topic: string, partitions: number) {
  const producer = kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  for (let p = 0; p < partitions; p++) {
    const messages = Array.from({ length: PER_PARTITION }, (_, i) => ({
      partition: p,
      value: JSON.stringify({ i }),
      timestamp: String(HOUR_AGO + i * 1_000),
    }));
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}

describe('siem-stream lag', () => {
  it('reports the same offsets and lag as kafka-consumer-groups, and the age of the oldest unread record', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const topic = names.raw('firewall');
    await produceStamped(kafka, topic, topology.topics.partitions);
    const committed = [0, 37, PER_PARTITION];
    await setGroupOffsets(
      kafka,
      topology.parser.groupId,
      committed.map((offset, partition) => ({ topic, partition, offset: String(offset) })),
    );

    const result = await runCli(['lag', topologyFile(topology), '--group', topology.parser.groupId, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const ours = (JSON.parse(result.stdout) as JsonRow[]).filter((r) => r.topic === topic);
    const kafkas = await kafkaConsumerGroupsDescribe(inject('stack').kafkaBrokers.join(','), topology.parser.groupId);
    expect(kafkas.filter((r) => r.topic === topic)).toHaveLength(committed.length);
    for (const theirs of kafkas.filter((r) => r.topic === topic)) {
      const mine = ours.find((r) => r.partition === theirs.partition);
      expect(mine, `partition ${theirs.partition}`).toBeDefined();
      expect(mine?.committed).toBe(theirs.currentOffset);
      expect(mine?.end).toBe(theirs.logEndOffset);
      expect(mine?.lag).toBe(theirs.lag);
    }
    expect(ours.map((r) => r.lag)).toEqual(committed.map((c) => String(PER_PARTITION - c)));
    expect(ours.every((r) => r.members === 0 && r.groupState === 'Empty')).toBe(true);

    // lag in seconds: the oldest unread record of partition p is record committed[p], stamped HOUR_AGO + committed[p] s
    for (const [partition, offset] of committed.entries()) {
      const row = ours.find((r) => r.partition === partition) as JsonRow;
      if (offset === PER_PARTITION) {
        expect(row.lagSeconds).toBe(0);
        continue;
      }
      const expected = (Date.now() - (HOUR_AGO + offset * 1_000)) / 1_000;
      expect(row.lagSeconds).not.toBeNull();
      expect(Math.abs((row.lagSeconds as number) - expected)).toBeLessThan(60);
    }
    // the auth topic was never consumed: shown without an offset, all of it to read
    expect(ours.every((r) => !r.dataLoss)).toBe(true);
    const unread = (JSON.parse(result.stdout) as JsonRow[]).filter((r) => r.topic !== topic);
    expect(unread).toHaveLength((names.allRaw.length - 1) * topology.topics.partitions);
    expect(unread.every((r) => r.committed === null && r.lag === '0' && !r.dataLoss)).toBe(true);

    const table = await runCli(['lag', topologyFile(topology), '--group', topology.parser.groupId]);
    expect(table.stdout).toMatch(
      /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-START-OFFSET\s+LOG-END-OFFSET\s+LAG\s+LAG-SECONDS\s+STATUS\s+MEMBERS/,
    );
  });

  it('flags a group whose committed offset fell below the log start as data loss, in the CLI and the exporter', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const topic = names.enriched;
    await produceStamped(kafka, topic, 1);
    const sinkGroup = sinkGroupId(topology.sinks[0] as Topology['sinks'][number]);
    await setGroupOffsets(kafka, sinkGroup, [{ topic, partition: 0, offset: '10' }]);
    const admin = kafka.admin();
    await admin.connect();
    // what retention does to old segments: move the log start past the group's position
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '50' }] });
    await admin.disconnect();

    const result = await runCli(['lag', topologyFile(topology), '--group', sinkGroup, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DATA LOSS');
    const row = (JSON.parse(result.stdout) as JsonRow[]).find((r) => r.topic === topic && r.partition === 0) as JsonRow;
    expect(row).toMatchObject({ committed: '10', logStart: '50', end: String(PER_PARTITION), dataLoss: true, lostRecords: '40' });
    expect(row.lag).toBe(String(PER_PARTITION - 50));

    const logFile = join(tmpdir(), `lag-exporter-${process.pid}-${Date.now()}.log`);
    const exporter = spawn(
      process.execPath,
      ['dist/cli/main.js', 'lag-exporter', topologyFile(topology), '--port', '0', '--interval', '1000'],
      {
        stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')],
      },
    );
    try {
      const port = await waitFor(
        'the exporter to listen',
        async () => {
          const match = /"port":(\d+)[^\n]*lag exporter listening/.exec(readFileSync(logFile, 'utf8'));
          return match ? Number(match[1]) : undefined;
        },
        60_000,
        200,
      );
      const labels = `stage="${topology.sinks[0]?.name}",group="${sinkGroup}",topic="${topic}",partition="0"`;
      const body = await waitFor(
        'lost records in /metrics',
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return text.includes(`siem_consumer_lost_records{${labels}} 40`) ? text : undefined;
        },
        60_000,
        500,
      );
      expect(body).toContain(`siem_consumer_lag_records{${labels}} ${PER_PARTITION - 50}`);
      expect(body).toContain(`siem_consumer_committed_offset{${labels}} 10`);
      expect(body).toMatch(new RegExp(`siem_consumer_lag_seconds\\{${labels.replace(/[{}]/g, '\\$&')}\\} \\d+`));
    } finally {
      exporter.kill('SIGTERM');
      expect((await exited(exporter)).code).toBe(0);
    }
  });

  it('on a transactional topic, a caught-up group shows the commit marker as lag (as Kafka does) and nothing waiting in seconds', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const topic = names.normalized;
    const producer = kafka.producer({
      kafkaJS: { ...PRODUCER_DEFAULTS.kafkaJS, transactionalId: `${topology.name}-lag-test`, maxInFlightRequests: 1 },
    });
    await producer.connect();
    const transaction = await producer.transaction();
    await transaction.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: String(i) })) });
    await transaction.commit();
    await producer.disconnect();
    // where a consumer that read all ten commits: after the last record, i.e. at the commit marker
    await setGroupOffsets(kafka, topology.enricher.groupId, [{ topic, partition: 0, offset: '10' }]);

    const result = await runCli(['lag', topologyFile(topology), '--group', topology.enricher.groupId, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const row = (JSON.parse(result.stdout) as JsonRow[]).find((r) => r.topic === topic && r.partition === 0) as JsonRow;
    const theirs = (await kafkaConsumerGroupsDescribe(inject('stack').kafkaBrokers.join(','), topology.enricher.groupId)).find(
      (r) => r.topic === topic && r.partition === 0,
    );
    expect(row).toMatchObject({ committed: '10', end: '11', lag: '1', lagSeconds: 0 });
    expect(theirs).toMatchObject({ currentOffset: '10', logEndOffset: '11', lag: '1' });
  });
});
