import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { expectEveryInputOnce, isStopped, logOf, produceFirewallRecords } from './parser-fixtures.js';

const SESSION_TIMEOUT_MS = 6_000;

describe('parser instances sharing a multi-partition topic', () => {
  it('rebalance: one of two instances is SIGKILLed mid-stream; every input is committed once', async () => {
    const topology = testTopology({
      topics: { partitions: 6 },
      kafka: { sessionTimeoutMs: SESSION_TIMEOUT_MS },
      parser: { maxRecordsPerTransaction: 25 },
    });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const count = 4_000;
    const malformed = await produceFirewallRecords(kafka, names.raw('firewall'), count);

    const survivor = spawnStage(topology, 'parser');
    const victim = spawnStage(topology, 'parser', { SIEM_STREAM_FAULT: 'crash-before-commit:12' });
    try {
      const crash = await exited(victim);
      expect(crash.signal, logOf(victim).slice(-2_000)).toBe('SIGKILL');
      // both members held partitions before the crash: the victim committed with its own assignment
      expect(logOf(victim)).toContain('partitions assigned');
      await expectEveryInputOnce(kafka, topology, count, malformed);
      // the survivor's assignment changed at least once: it took the victim's partitions over
      expect(logOf(survivor).match(/partitions assigned/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
      // the victim's last transaction was sent and never committed: it is in the log, aborted
      expect((await readAll(kafka, names.normalized, { readUncommitted: true })).length).toBeGreaterThan(count - malformed);
    } finally {
      survivor.kill('SIGTERM');
      await exited(survivor);
    }
  });

  it('zombie: an instance SIGSTOPped past its session timeout with an open transaction is fenced after SIGCONT', async () => {
    const topology = testTopology({
      topics: { partitions: 4 },
      kafka: { sessionTimeoutMs: SESSION_TIMEOUT_MS },
      parser: { maxRecordsPerTransaction: 50 },
    });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const count = 3_000;
    const malformed = await produceFirewallRecords(kafka, names.raw('firewall'), count);

    // the zombie stops itself between sending a transaction's records and offsets and committing them
    const zombie = spawnStage(topology, 'parser', { SIEM_STREAM_FAULT: 'stop-before-commit:3' });
    const pid = zombie.pid as number;
    let successor: ReturnType<typeof spawnStage> | undefined;
    try {
      await waitFor('the zombie to stop itself', async () => (isStopped(pid) ? true : undefined), 60_000, 200);
      successor = spawnStage(topology, 'parser');
      // the successor gets every partition once the zombie's session expired, and finishes the work
      const { events } = await expectEveryInputOnce(kafka, topology, count, malformed);
      expect(isStopped(pid)).toBe(true);

      zombie.kill('SIGCONT');
      await waitFor(
        'the zombie to learn it was fenced',
        async () => (/KAFKA_FENCED|fenced/i.test(logOf(zombie)) ? true : undefined),
        60_000,
        500,
      );
      // give it time to rejoin and do whatever it still would; nothing of it may become visible
      await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS));
      const after = await expectEveryInputOnce(kafka, topology, count, malformed);
      expect(after.events.length).toBe(events.length);
      const uncommitted = await readAll(kafka, names.normalized, { readUncommitted: true });
      expect(uncommitted.length, 'the zombie wrote records that were aborted').toBeGreaterThan(events.length);
    } finally {
      zombie.kill('SIGCONT');
      zombie.kill('SIGTERM');
      successor?.kill('SIGTERM');
      await exited(zombie);
      if (successor) await exited(successor);
    }
  });
});
