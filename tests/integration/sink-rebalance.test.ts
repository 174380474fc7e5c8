import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import type { Kafka } from '../../src/kafka/client.js';
import { RdGroupStates } from '../../src/kafka/rdkafka.js';
import type { sinkSchema } from '../../src/sinks/config.js';
import { SINK_MIN_SESSION_TIMEOUT_MS } from '../../src/sinks/runtime/sink-runner.js';
import { exited, spawnStage } from '../support/stage-process.js';
import {
  committedOffsets,
  countBy,
  enrichedEvent,
  produceEvents,
  runSinkInProcess,
  sentinelConfig,
  sinkTestbed,
  startTestEmulator,
  until,
} from './sink-harness.js';

/**
 * A sink's group changing under it: offsets are committed only for what the destination
 * acknowledged, also when partitions are revoked (before they go), and a member that the group
 * moved on without (a zombie) comes back without stalling anyone.
 */
const dir = mkdtempSync(join(tmpdir(), 'siem-sink-rebalance-'));
const emulators: LogsIngestionEmulator[] = [];
afterAll(async () => {
  await Promise.allSettled(emulators.map((e) => e.stop()));
});

async function emulator(name: string) {
  const e = await startTestEmulator(join(dir, name));
  emulators.push(e);
  return e;
}

const idsIn = (e: LogsIngestionEmulator) => e.store.records().map((r) => String(r.record.EventId));
const total = (offsets: Map<number, string>) => [...offsets.values()].reduce((n, o) => n + Math.max(0, Number(o)), 0);

async function groupMembers(kafka: Kafka, groupId: string): Promise<{ stable: boolean; members: number }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return { stable: groups[0]?.state === RdGroupStates.STABLE, members: groups[0]?.members.length ?? 0 };
  } finally {
    await admin.disconnect();
  }
}

describe('sink: rebalances', () => {
  it('commits what the destination acknowledged for revoked partitions before they go to a new member', async () => {
    const e = await emulator('revoke');
    // the timer never commits in this test: whatever is committed while both run was committed on revoke
    const bed = await sinkTestbed((id) => [sentinelConfig(e, id, { commitIntervalMs: 3_600_000, batch: { maxLatencyMs: 100 } })]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const groupId = (config as { groupId: string }).groupId;
    const first = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 300 }, (_, i) => enrichedEvent(i)),
    );
    const a = await runSinkInProcess(bed, config);
    await until('the first events accepted', () => (new Set(idsIn(e)).size === first.length ? true : undefined));
    expect(total(await committedOffsets(bed.rd, groupId, bed.names.enriched))).toBe(0);

    const b = await runSinkInProcess(bed, config);
    const committed = await until('the revoked partitions committed', async () => {
      const offsets = await committedOffsets(bed.rd, groupId, bed.names.enriched);
      return total(offsets) === first.length ? offsets : undefined;
    });
    expect(committed.size).toBe(3);
    await until('both members in a settled group', async () => {
      const group = await groupMembers(bed.rd, groupId);
      return group.stable && group.members === 2 ? true : undefined;
    });

    const second = await produceEvents(
      bed.rd,
      bed.codec,
      Array.from({ length: 300 }, (_, i) => enrichedEvent(1_000 + i)),
    );
    const all = [...first, ...second];
    await until('every event accepted', () => (new Set(idsIn(e)).size === all.length ? true : undefined));
    await b.stop();
    await a.stop();
    // the new member started where the old one's acknowledgements ended: nothing was delivered twice
    expect(idsIn(e)).toHaveLength(all.length);
    expect(total(await committedOffsets(bed.rd, groupId, bed.names.enriched))).toBe(all.length);
  });

  it('a zombie member resumes without stalling the group: every event arrives and the group commits to the end', async () => {
    const e = await emulator('zombie');
    const bed = await sinkTestbed((id) => [sentinelConfig(e, id, { batch: { maxLatencyMs: 200 }, commitIntervalMs: 500 })]);
    const groupId = (bed.topology.sinks[0] as { groupId: string }).groupId;
    const batch = (from: number) => Array.from({ length: 500 }, (_, i) => enrichedEvent(from + i, { EventSchema: 'Other' }));
    const ids = await produceEvents(bed.rd, bed.codec, batch(0));
    const zombie = spawnStage(bed.topology, 'sentinel');
    const other = spawnStage(bed.topology, 'sentinel');
    try {
      await until(
        'both members in a settled group',
        async () => {
          const group = await groupMembers(bed.rd, groupId);
          return group.stable && group.members === 2 ? true : undefined;
        },
        120_000,
      );
      await until('the first events accepted', () => (new Set(idsIn(e)).size === ids.length ? true : undefined));
      // slow uploads: the zombie is stopped with batches in flight
      e.faults.setLatency('*', 300);
      ids.push(...(await produceEvents(bed.rd, bed.codec, batch(10_000))));
      await new Promise((r) => setTimeout(r, 500));
      zombie.kill('SIGSTOP');
      // past its session timeout the group gives the zombie's partitions to the other member
      ids.push(...(await produceEvents(bed.rd, bed.codec, batch(20_000))));
      await new Promise((r) => setTimeout(r, SINK_MIN_SESSION_TIMEOUT_MS + 10_000));
      e.faults.clear();
      zombie.kill('SIGCONT');
      ids.push(...(await produceEvents(bed.rd, bed.codec, batch(30_000))));
      await until('every event accepted', () => (new Set(idsIn(e)).size === ids.length ? true : undefined), 180_000);
      await until(
        'the group committed to the end',
        async () => (total(await committedOffsets(bed.rd, groupId, bed.names.enriched)) === ids.length ? true : undefined),
        120_000,
      );
      await until(
        'the zombie back in a settled group',
        async () => {
          const group = await groupMembers(bed.rd, groupId);
          return group.stable && group.members === 2 ? true : undefined;
        },
        120_000,
      );
      // and both go on: the partitions the zombie got back are delivered and committed too
      ids.push(...(await produceEvents(bed.rd, bed.codec, batch(40_000))));
      await until('the events after the rejoin accepted', () => (new Set(idsIn(e)).size === ids.length ? true : undefined));
      await until(
        'the group committed to the end again',
        async () => (total(await committedOffsets(bed.rd, groupId, bed.names.enriched)) === ids.length ? true : undefined),
        60_000,
      );
      expect(zombie.exitCode).toBeNull();
      expect(other.exitCode).toBeNull();
    } finally {
      zombie.kill('SIGCONT');
      zombie.kill('SIGTERM');
      other.kill('SIGTERM');
    }
    expect((await exited(zombie)).code).toBe(0);
    expect((await exited(other)).code).toBe(0);
    const counts = countBy(idsIn(e));
    expect(counts.size).toBe(ids.length);
    expect(new Set(counts.keys())).toEqual(new Set(ids));
    process.stdout.write(
      `[sink zombie] ${ids.length} events, ${idsIn(e).length} accepted rows (${idsIn(e).length - ids.length} redelivered by EventId)\n`,
    );
  });
});
