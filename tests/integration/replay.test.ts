import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka, PRODUCER_DEFAULTS } from '../../src/kafka/client-factory.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { holdsAtLeast, runCli, topologyFile } from '../support/ops-cli.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const RECORDS = 300;
const REPLAY_FROM = 200;
const BASE = Date.now() - 3_600_000;

interface PlanJson {
  group: string;
  liveMembers: number;
  executed: boolean;
  rows: Array<{ topic: string; partition: number; current: string | null; target: string; end: string; reprocess: string }>;
}

async function committedOffsets(kafka: ReturnType<typeof createKafka>, groupId: string, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Object.fromEntries((t?.partitions ?? []).map((p) => [p.partition, p.offset]));
  } finally {
    await admin.disconnect();
  }
}

describe('siem-stream replay', () => {
  it('reprocesses exactly the records at or after --to-datetime, refuses while the stage runs, and --into-group leaves the live group alone', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const raw = names.raw('firewall');
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    await producer.send({
      topic: raw,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        partition: i % topology.topics.partitions,
        timestamp: String(BASE + i * 1_000),
        key: `bucket/firewall/o${i % 3}.log`,
        value: JSON.stringify({ id: `r${i}`, ts: new Date(BASE + i * 1_000).toISOString(), src: { ip: '10.0.0.1' }, action: 'allow' }),
        headers: { [RAW_HEADER.logType]: 'firewall', [RAW_HEADER.bucket]: 'bucket', [RAW_HEADER.recordNumber]: String(i) },
      })),
    });
    await producer.disconnect();
    const file = topologyFile(topology);
    const at = new Date(BASE + REPLAY_FROM * 1_000).toISOString();

    const first = spawnStage(topology, 'parser');
    await waitFor('the first pass', holdsAtLeast(kafka, names.normalized, RECORDS));
    const refused = await runCli(['replay', file, '--stage', 'parser', '--to-datetime', at, '--execute']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/live member/);
    const live = await runCli(['lag', file, '--group', topology.parser.groupId, '--json', '--no-seconds']);
    expect((JSON.parse(live.stdout) as Array<{ members: number; groupState: string }>)[0]).toMatchObject({
      members: 1,
      groupState: 'Stable',
    });
    first.kill('SIGTERM');
    expect((await exited(first)).code).toBe(0);
    const afterFirstPass = await committedOffsets(kafka, topology.parser.groupId, raw);
    expect(
      Object.values(afterFirstPass)
        .map(Number)
        .reduce((a, b) => a + b, 0),
    ).toBe(RECORDS);

    // dry run: the plan, and nothing moves
    const dry = await runCli(['replay', file, '--stage', 'parser', '--to-datetime', at, '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as PlanJson;
    const rawRows = plan.rows.filter((r) => r.topic === raw);
    expect(plan.executed).toBe(false);
    expect(rawRows.map((r) => Number(r.reprocess)).reduce((a, b) => a + b, 0)).toBe(RECORDS - REPLAY_FROM);
    for (const row of rawRows) {
      // partition p holds records p, p+3, …: the target is the index of the first one at or after REPLAY_FROM
      expect(Number(row.target)).toBe(Math.ceil((REPLAY_FROM - row.partition) / topology.topics.partitions));
    }
    expect(await committedOffsets(kafka, topology.parser.groupId, raw)).toEqual(afterFirstPass);
    const table = await runCli(['replay', file, '--stage', 'parser', '--to-datetime', at]);
    expect(table.stdout).toContain(`records to reprocess: ${RECORDS - REPLAY_FROM}`);
    expect(table.stdout).toContain('dry run: nothing changed');

    // into a new group: positions it, leaves the live group where it was
    const intoGroup = `${topology.parser.groupId}-repair`;
    const into = await runCli(['replay', file, '--stage', 'parser', '--to-datetime', at, '--into-group', intoGroup, '--execute']);
    expect(into.code, into.stderr).toBe(0);
    expect(await committedOffsets(kafka, intoGroup, raw)).toEqual(Object.fromEntries(rawRows.map((r) => [r.partition, r.target])));
    expect(await committedOffsets(kafka, topology.parser.groupId, raw)).toEqual(afterFirstPass);

    const applied = await runCli(['replay', file, '--stage', 'parser', '--to-datetime', at, '--execute']);
    expect(applied.code, applied.stderr).toBe(0);
    const second = spawnStage(topology, 'parser');
    try {
      const expected = RECORDS + RECORDS - REPLAY_FROM;
      await waitFor('the replay', holdsAtLeast(kafka, names.normalized, expected));
      await new Promise((r) => setTimeout(r, 2_000));
      const events = await readAll(kafka, names.normalized);
      expect(events).toHaveLength(expected);
      const times = new Map<number, number>();
      for (const e of events) {
        const n = Number(readHeaders(e.message.headers)[RAW_HEADER.recordNumber]);
        times.set(n, (times.get(n) ?? 0) + 1);
      }
      for (let i = 0; i < RECORDS; i++) expect(times.get(i), `record ${i}`).toBe(i >= REPLAY_FROM ? 2 : 1);
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
  });
});
