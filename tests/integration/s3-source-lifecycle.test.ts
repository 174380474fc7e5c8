import type { Server } from 'node:http';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Topology } from '../../src/config/schema.js';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import type { Kafka } from '../../src/kafka/client.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { metricsRegistry } from '../../src/observability/metrics.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { ACTION_HEADER } from '../../src/stages/s3-source/after-ingest.js';
import type { ObjectProgress, SourceState } from '../../src/stages/s3-source/progress-store.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { s3FaultProxy } from '../support/s3-fault-proxy.js';
import { exited, spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { countRecords, createBucket, logTail, put } from './s3-source-support.js';

interface Setup {
  topology: Topology;
  kafka: Kafka;
  s3: S3Client;
  bucket: string;
  names: ReturnType<typeof topicNames>;
}

async function setup(s3Overrides: Record<string, unknown>, topics: Record<string, unknown> = {}): Promise<Setup> {
  const topology = testTopology({ topics, source: { s3: s3Overrides } });
  const kafka = createKafka(topology.kafka, 'test');
  await ensureTopics(kafka, topologyTopics(topology));
  const bucket = topology.source.s3.bucket;
  // the source's own client: a fault proxy in `endpoint` only stands between the source and S3
  const s3 = createS3Client({ ...topology.source.s3, endpoint: inject('stack').s3.endpoint });
  await createBucket(s3, bucket);
  return { topology, kafka, s3, bucket, names: topicNames(topology) };
}

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `{"${prefix}":${i}}`).join('\n');

async function keysIn(s: Setup): Promise<string[]> {
  const page = await s.s3.send(new ListObjectsV2Command({ Bucket: s.bucket }));
  return (page.Contents ?? []).map((o) => o.Key as string).sort();
}

async function body(s: Setup, key: string): Promise<string> {
  return (await (await s.s3.send(new GetObjectCommand({ Bucket: s.bucket, Key: key }))).Body?.transformToString()) ?? '';
}

/** Every committed state record of source-offsets in log order (tombstones as null), per key. */
async function history(s: Setup): Promise<Map<string, Array<SourceState | null>>> {
  const out = new Map<string, Array<SourceState | null>>();
  for (const { message } of await readAll(s.kafka, s.names.sourceOffsets)) {
    if (!message.key) continue;
    const key = message.key.toString();
    out.set(key, [...(out.get(key) ?? []), message.value ? (JSON.parse(message.value.toString()) as SourceState) : null]);
  }
  return out;
}

/** The latest committed progress per object key (tombstoned ones are gone). */
async function latest(s: Setup): Promise<Map<string, ObjectProgress>> {
  const out = new Map<string, ObjectProgress>();
  for (const states of (await history(s).catch(() => new Map<string, Array<SourceState | null>>())).values()) {
    const last = states.at(-1);
    if (last?.kind === 'object') out.set(last.key, last);
  }
  return out;
}

async function untilActionsRecorded(s: Setup, count: number, timeoutMs?: number) {
  return waitFor(
    `${count} after-ingest actions recorded`,
    async () => {
      const progress = [...(await latest(s)).values()];
      return progress.filter((p) => p.afterIngest && p.afterIngest.state !== 'pending').length >= count ? progress : undefined;
    },
    timeoutMs,
  );
}

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const values = (await metricsRegistry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((n, v) => n + v.value, 0);
}

describe('s3-source object lifecycle against the real S3 server', () => {
  const running: RunningStage[] = [];
  let proxy: Server | undefined;
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((r) => r.stop()));
    proxy?.close();
    proxy = undefined;
  });

  it('moves and deletes each object once, after its last record committed; a moved object is never read again', async () => {
    const s = await setup({
      chunkRecords: 2,
      routes: [
        { match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'move', prefix: 'processed/' } },
        { match: 'auth/**', logType: 'auth', afterIngest: { action: 'delete' } },
      ],
    });
    const moved = await counter('siem_source_object_actions_total', { action: 'move', result: 'done' });
    const deleted = await counter('siem_source_object_actions_total', { action: 'delete', result: 'done' });
    await put(s.s3, s.bucket, 'firewall/a.log', lines('fa', 5));
    await put(s.s3, s.bucket, 'firewall/b c.log', lines('fb', 5)); // a key CopySource must encode
    await put(s.s3, s.bucket, 'auth/x.log', lines('ax', 3));
    await put(s.s3, s.bucket, 'auth/y.log', lines('ay', 3));

    const source = await startStage(s.topology, 's3-source');
    running.push(source);
    const progress = await untilActionsRecorded(s, 4);

    expect(progress.map((p) => [p.key, p.afterIngest?.action, p.afterIngest?.state, p.afterIngest?.outcome]).sort()).toEqual([
      ['auth/x.log', 'delete', 'done', 'done'],
      ['auth/y.log', 'delete', 'done', 'done'],
      ['firewall/a.log', 'move', 'done', 'done'],
      ['firewall/b c.log', 'move', 'done', 'done'],
    ]);
    expect(await keysIn(s)).toEqual(['processed/firewall/a.log', 'processed/firewall/b c.log']);
    expect(await body(s, 'processed/firewall/a.log')).toBe(lines('fa', 5));
    // the action is recorded after the transaction that finished the object, never before
    for (const [key, states] of await history(s)) {
      if (!key.startsWith('object/')) continue;
      const objects = states.filter((x): x is ObjectProgress => x?.kind === 'object');
      const firstDone = objects.findIndex((p) => p.done);
      expect(objects[firstDone]?.afterIngest?.state, key).toBe('pending');
      expect(objects.slice(0, firstDone).every((p) => p.afterIngest === undefined)).toBe(true);
      expect(objects.at(-1)?.afterIngest?.state).toBe('done');
    }
    expect(await counter('siem_source_object_actions_total', { action: 'move', result: 'done' })).toBe(moved + 2);
    expect(await counter('siem_source_object_actions_total', { action: 'delete', result: 'done' })).toBe(deleted + 2);

    // more passes list processed/… (no route matches it): nothing is read again
    await new Promise((r) => setTimeout(r, 2_500));
    expect(source.source?.stats.objectsCompleted).toBe(4);
    const count = await countRecords(s.kafka, s.names.allRaw);
    expect([count.total, count.duplicates]).toEqual([16, 0]);
    expect((await latest(s)).size).toBe(4);
    expect(await readAll(s.kafka, s.names.dlq('s3-source'))).toHaveLength(0);
  });

  it('dead-letters an action that fails for good — a tag S3Proxy does not implement, a delete S3 keeps throttling — with its context, and counts it', async () => {
    const stack = inject('stack');
    const faults = await s3FaultProxy(stack.s3.endpoint, [
      {
        method: 'DELETE',
        matches: (path) => path.includes('/auth/'),
        status: 503,
        code: 'SlowDown',
        message: 'Please reduce your request rate.',
      },
    ]);
    proxy = faults.server;
    const s = await setup({
      endpoint: faults.url,
      retry: { attempts: 3, baseMs: 20, capMs: 100 },
      routes: [
        { match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'tag', tags: { 'siem-stream': 'ingested' } } },
        { match: 'auth/**', logType: 'auth', afterIngest: { action: 'delete' } },
      ],
    });
    const failedBefore = {
      tag: await counter('siem_source_object_actions_total', { action: 'tag', result: 'failed' }),
      delete: await counter('siem_source_object_actions_total', { action: 'delete', result: 'failed' }),
    };
    const retriesBefore = await counter('siem_retries_total', { stage: 's3-source' });
    await put(s.s3, s.bucket, 'firewall/t.log', lines('ft', 4));
    await put(s.s3, s.bucket, 'auth/d.log', lines('ad', 2));

    running.push(await startStage(s.topology, 's3-source'));
    const progress = await untilActionsRecorded(s, 2);

    expect(progress.map((p) => [p.key, p.afterIngest?.state]).sort()).toEqual([
      ['auth/d.log', 'failed'],
      ['firewall/t.log', 'failed'],
    ]);
    const dlq = (await readAll(s.kafka, s.names.dlq('s3-source'))).map(({ message }) => ({
      h: readHeaders(message.headers),
      value: JSON.parse(message.value?.toString() ?? '{}') as { key?: string },
    }));
    const byAction = new Map(dlq.map((d) => [d.h[ACTION_HEADER], d]));
    expect(dlq).toHaveLength(2);
    const tag = byAction.get('tag');
    expect(tag?.h[DLQ_HEADER.errorCode]).toBe('SOURCE_OBJECT_ACTION_FAILED');
    expect(tag?.h[DLQ_HEADER.errorMessage]).toMatch(
      /^tag of s3:\/\/.+\/firewall\/t\.log \(etag \w+\) failed after 1 attempt\(s\): NotImplemented/,
    );
    expect(tag?.h[DLQ_HEADER.attempts]).toBe('1');
    expect([tag?.h[RAW_HEADER.bucket], tag?.h[RAW_HEADER.key]]).toEqual([s.bucket, 'firewall/t.log']);
    expect(tag?.h[RAW_HEADER.etag]).toMatch(/^[0-9a-f]{32}$/);
    expect(tag?.value.key).toBe('firewall/t.log'); // the work item
    const del = byAction.get('delete');
    expect(del?.h[DLQ_HEADER.errorMessage]).toMatch(/failed after 3 attempt\(s\): SlowDown/);
    expect(del?.h[DLQ_HEADER.attempts]).toBe('3');
    expect(faults.answered()).toBe(3);

    expect(await keysIn(s)).toEqual(['auth/d.log', 'firewall/t.log']);
    const count = await countRecords(s.kafka, s.names.allRaw);
    expect([count.total, count.duplicates]).toEqual([6, 0]);
    expect(await counter('siem_source_object_actions_total', { action: 'tag', result: 'failed' })).toBe(failedBefore.tag + 1);
    expect(await counter('siem_source_object_actions_total', { action: 'delete', result: 'failed' })).toBe(failedBefore.delete + 1);
    expect((await counter('siem_retries_total', { stage: 's3-source' })) - retriesBefore).toBeGreaterThanOrEqual(2);
  });

  it('after a SIGKILL between the last commit and the action, and one between the action and its record, the object is moved once and read once', async () => {
    const s = await setup({
      sessionTimeoutMs: 6_000,
      routes: [{ match: 'firewall/**', logType: 'firewall', afterIngest: { action: 'move', prefix: 'processed/' } }],
    });
    await put(s.s3, s.bucket, 'firewall/a.log', lines('a', 7));

    const first = spawnStage(s.topology, 's3-source', { SIEM_STREAM_FAULT: 'crash-before-object-action:1' });
    expect((await exited(first)).signal, logTail(first.logFile)).toBe('SIGKILL');
    let a = (await latest(s)).get('firewall/a.log');
    expect([a?.done, a?.nextRecord, a?.afterIngest?.state]).toEqual([true, 7, 'pending']);
    expect(await keysIn(s)).toEqual(['firewall/a.log']);

    const second = spawnStage(s.topology, 's3-source', { SIEM_STREAM_FAULT: 'crash-after-object-action:1' });
    expect((await exited(second)).signal, logTail(second.logFile)).toBe('SIGKILL');
    a = (await latest(s)).get('firewall/a.log');
    expect(a?.afterIngest?.state).toBe('pending'); // moved, not yet recorded
    expect(await keysIn(s)).toEqual(['processed/firewall/a.log']);

    await put(s.s3, s.bucket, 'firewall/b.log', lines('b', 2));
    const last = spawnStage(s.topology, 's3-source');
    try {
      const progress = await untilActionsRecorded(s, 2, 90_000);
      expect(progress.map((p) => [p.key, p.afterIngest?.state, p.afterIngest?.outcome]).sort(), logTail(last.logFile)).toEqual([
        ['firewall/a.log', 'done', 'done'],
        ['firewall/b.log', 'done', 'done'],
      ]);
    } finally {
      last.kill('SIGTERM');
      await exited(last);
    }
    expect(await keysIn(s)).toEqual(['processed/firewall/a.log', 'processed/firewall/b.log']);
    expect(await body(s, 'processed/firewall/a.log')).toBe(lines('a', 7));
    const count = await countRecords(s.kafka, s.names.allRaw);
    expect([count.total, count.duplicates]).toEqual([9, 0]);
    expect(await readAll(s.kafka, s.names.dlq('s3-source'))).toHaveLength(0);
  });

  it('tombstones the progress of finished objects once past retention and below the look-back floor, and never reads them again', async () => {
    const s = await setup(
      { lookBackMs: 0, progressRetention: { finishedMs: 1_500, sweepIntervalMs: 500 } },
      { partitions: 1 }, // every object's progress on the partition the sweep runs for
    );
    for (const k of ['a-1', 'a-2', 'a-3']) await put(s.s3, s.bucket, `firewall/${k}.log`, lines(k, 2));
    const first = await startStage(s.topology, 's3-source');
    running.push(first);
    await waitFor('3 objects done', async () => ([...(await latest(s)).values()].filter((p) => p.done).length >= 3 ? true : undefined));

    await new Promise((r) => setTimeout(r, 2_000)); // past the retention
    await put(s.s3, s.bucket, 'firewall/a-4.log', lines('a-4', 2)); // a work record: the partition's turn sweeps it
    const kept = await waitFor('the expired progress tombstoned', async () => {
      const now = await latest(s);
      return now.has('firewall/a-4.log') && !now.has('firewall/a-1.log') ? now : undefined;
    });
    expect([...kept.keys()]).toEqual(['firewall/a-4.log']);
    const states = await history(s);
    const tombstoned = [...states]
      .filter(([key, list]) => key.startsWith('object/') && list.at(-1) === null)
      .map(([key]) => key.split('@')[0]);
    expect(tombstoned.sort()).toEqual(['a-1', 'a-2', 'a-3'].map((k) => `object/${s.bucket}/firewall/${k}.log`));

    // a new instance restores only what is left, lists from the floor, and reads nothing again
    await first.stop();
    running.splice(0);
    const second = await startStage(s.topology, 's3-source');
    running.push(second);
    await put(s.s3, s.bucket, 'firewall/a-5.log', lines('a-5', 2));
    await waitFor('a-5 done', async () => ((await latest(s)).get('firewall/a-5.log')?.done ? true : undefined));
    await new Promise((r) => setTimeout(r, 2_000)); // several passes
    expect(second.source?.stats.objectsCompleted).toBe(1);
    const count = await countRecords(s.kafka, s.names.allRaw);
    expect([count.total, count.duplicates]).toEqual([10, 0]);
    expect(await keysIn(s)).toHaveLength(5); // the objects themselves are untouched
  });
});
