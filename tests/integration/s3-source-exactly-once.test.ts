import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { s3Event, sqsSetup } from './s3-source-sqs-support.js';
import { countRecords, createBucket, logTail, mulberry32, objectProgress, put } from './s3-source-support.js';

/** Sizes from the issue: ≥ 50 objects, ≥ 500,000 records, ≥ 10 SIGKILLs. SIEM_STREAM_KILL_TEST_SCALE shrinks it for a quick local run. */
const SCALE = Number(process.env.SIEM_STREAM_KILL_TEST_SCALE ?? 1);
const OBJECTS = Math.max(6, Math.round(60 * SCALE));
const RECORDS_PER_OBJECT = 8_500;
const KILLS = Math.max(3, Math.round(10 * Math.min(1, SCALE)));
const SEED = Number(process.env.SIEM_STREAM_KILL_TEST_SEED ?? 20261123);

describe('s3-source exactly-once across SIGKILLs at random points', () => {
  it(`ingests ${OBJECTS} objects / ${OBJECTS * RECORDS_PER_OBJECT} records exactly once despite ${KILLS} SIGKILLs`, async () => {
    const random = mulberry32(SEED);
    const topology = testTopology({ source: { s3: { chunkRecords: 2_500, pollIntervalMs: 300, sessionTimeoutMs: 10_000 } } });
    const { bucket } = topology.source.s3;
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const s3 = createS3Client(topology.source.s3);
    await createBucket(s3, bucket);
    for (let o = 0; o < OBJECTS; o++) {
      // compact records ("<object>.<n>") keep half a million of them within seconds of transfer
      const lines = Array.from({ length: RECORDS_PER_OBJECT }, (_, r) => `${o}.${r}`);
      const text = `${lines.join('\n')}\n`;
      const key = `${o % 2 === 0 ? 'firewall' : 'auth'}/obj-${String(o).padStart(3, '0')}.log${o % 3 === 0 ? '' : '.gz'}`;
      await put(s3, bucket, key, o % 3 === 0 ? text : gzipSync(text));
    }

    const kills: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      // a third of the kills land exactly between a transaction's sends and its commit
      const atCommit = k % 3 === 2;
      const env: Record<string, string> = atCommit ? { SIEM_STREAM_FAULT: `crash-before-commit:${5 + Math.floor(random() * 40)}` } : {};
      const source = spawnStage(topology, 's3-source', env);
      if (!atCommit) {
        await new Promise((r) => setTimeout(r, 2_500 + random() * 4_000));
        source.kill('SIGKILL');
      }
      const end = await exited(source);
      expect(end.signal, logTail(source.logFile)).toBe('SIGKILL');
      kills.push(atCommit ? `${env.SIEM_STREAM_FAULT}` : 'external');
    }
    const beforeFinal = await objectProgress(kafka, names.sourceOffsets);
    const doneBeforeFinal = beforeFinal.filter((p) => p.done).length;
    expect(beforeFinal.length, 'the killed runs made progress').toBeGreaterThan(0);
    expect(doneBeforeFinal, 'work was still left when the kills ended').toBeLessThan(OBJECTS);

    const final = spawnStage(topology, 's3-source');
    try {
      await waitFor(
        'every object done',
        async () => ((await objectProgress(kafka, names.sourceOffsets)).filter((p) => p.done).length >= OBJECTS ? true : undefined),
        240_000,
        2_000,
      );
    } finally {
      final.kill('SIGTERM');
      await exited(final);
    }
    const progress = await objectProgress(kafka, names.sourceOffsets);
    expect(progress).toHaveLength(OBJECTS);
    for (const p of progress)
      expect({ key: p.key, done: p.done, next: p.nextRecord, failed: p.failed }).toEqual({
        key: p.key,
        done: true,
        next: RECORDS_PER_OBJECT,
        failed: undefined,
      });

    const count = await countRecords(kafka, names.allRaw);
    const gaps = [...count.perObject]
      .filter(([, seen]) => seen.size !== RECORDS_PER_OBJECT)
      .map(([key, seen]) => {
        const missing = Array.from({ length: RECORDS_PER_OBJECT }, (_, i) => i).filter((i) => !seen.has(i));
        return `${key}: missing ${missing.length} from ${missing[0]} to ${missing[missing.length - 1]}`;
      });
    expect(gaps, `kills: ${kills.join(', ')}`).toEqual([]);
    expect(count.duplicates).toBe(0);
    expect(count.total).toBe(OBJECTS * RECORDS_PER_OBJECT);
    expect(count.perObject.size).toBe(OBJECTS);
    for (const seen of count.perObject.values()) {
      expect(seen.size).toBe(RECORDS_PER_OBJECT);
      expect(Math.min(...seen.keys())).toBe(0);
      expect(Math.max(...seen.keys())).toBe(RECORDS_PER_OBJECT - 1);
    }
    // the kills did interrupt transactions: their records are in the log, aborted
    const uncommitted = await countRecords(kafka, names.allRaw, true);
    expect(uncommitted.total, `kills: ${kills.join(', ')}`).toBeGreaterThan(count.total);
  });

  it('ingests an SQS-announced object that takes longer than the visibility timeout exactly once despite SIGKILLs, then deletes the message', async () => {
    const random = mulberry32(SEED + 1);
    const q = await sqsSetup(`s3-kill-${Date.now()}`, { chunkRecords: 1_000, sessionTimeoutMs: 10_000 });
    // large enough that three short lives cannot finish it even on a quiet machine (~16k records/s)
    const RECORDS = 400_000;
    const big = await q.putObject('firewall/slow.log', `${Array.from({ length: RECORDS }, (_, i) => `s${i}`).join('\n')}\n`);
    const small = await q.putObject('auth/small.log', 'a\nb\n');
    await q.send(s3Event(q.bucket, [big, small]));
    for (let k = 0; k < 3; k++) {
      const source = spawnStage(q.topology, 's3-source');
      await new Promise((r) => setTimeout(r, 3_000 + random() * 3_000));
      source.kill('SIGKILL');
      expect((await exited(source)).signal, logTail(source.logFile)).toBe('SIGKILL');
    }
    expect(await q.queueEmpty(), 'the message outlived the killed readers').toBe(false);
    const final = spawnStage(q.topology, 's3-source');
    try {
      await waitFor('the queue to be empty', async () => ((await q.queueEmpty()) ? true : undefined), 240_000, 2_000);
    } finally {
      final.kill('SIGTERM');
      await exited(final);
    }
    const count = await countRecords(q.kafka, q.names.allRaw);
    expect([count.total, count.duplicates]).toEqual([RECORDS + 2, 0]);
    expect(count.perObject.get('firewall/slow.log')?.size).toBe(RECORDS);
    const progress = await objectProgress(q.kafka, q.names.sourceOffsets);
    expect(progress.filter((p) => p.done && !p.failed)).toHaveLength(2);
  });

  it('fences a paused instance (a zombie) whose work partitions moved to another instance', async () => {
    const topology = testTopology({ source: { s3: { chunkRecords: 500, sessionTimeoutMs: 6_000, concurrentObjects: 1 } } });
    const { bucket } = topology.source.s3;
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const s3 = createS3Client(topology.source.s3);
    await createBucket(s3, bucket);
    const OBJECTS_Z = 4;
    const RECORDS_Z = 30_000;
    for (let o = 0; o < OBJECTS_Z; o++)
      await put(s3, bucket, `firewall/z-${o}.log`, `${Array.from({ length: RECORDS_Z }, (_, r) => `${o}.${r}`).join('\n')}\n`);

    const zombie = spawnStage(topology, 's3-source');
    let resumedAt = 0;
    const fresh = await (async () => {
      try {
        await waitFor(
          'the first instance to commit some progress',
          async () => ((await objectProgress(kafka, names.sourceOffsets).catch(() => [])).length > 0 ? true : undefined),
          60_000,
          300,
        );
        zombie.kill('SIGSTOP');
        const other = spawnStage(topology, 's3-source');
        await waitFor(
          'the second instance to finish every object',
          async () => ((await objectProgress(kafka, names.sourceOffsets)).filter((p) => p.done).length >= OBJECTS_Z ? true : undefined),
          120_000,
          1_000,
        );
        return other;
      } finally {
        resumedAt = statSync(zombie.logFile).size;
        zombie.kill('SIGCONT');
      }
    })();
    // Woken, the zombie either tries to commit and is refused, or learns first that its session
    // expired and gives its partitions up before its next commit: both stand it down unwritten.
    const stoodDown = await waitFor(
      'the zombie to stand down',
      async () => {
        const since = readFileSync(zombie.logFile, 'utf8').slice(resumedAt);
        return /KAFKA_FENCED|INVALID_PRODUCER_EPOCH|stale generation|work partitions revoked/.exec(since)?.[0];
      },
      60_000,
      500,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logTail(zombie.logFile, 4_000)}`);
    });
    expect(stoodDown).toBeTruthy();
    for (const p of [zombie, fresh]) {
      p.kill('SIGTERM');
      await exited(p);
    }
    const count = await countRecords(kafka, names.allRaw);
    expect([count.total, count.duplicates]).toEqual([OBJECTS_Z * RECORDS_Z, 0]);
  });
});
