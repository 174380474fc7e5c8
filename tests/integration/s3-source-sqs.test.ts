import { afterEach, describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { RAW_HEADER } from '../../src/schemas/raw-record.js';
import { waitFor } from '../support/stage-process.js';
import { s3Event, snsEnvelope, sqsSetup, VISIBILITY_SECONDS } from './s3-source-sqs-support.js';
import { countRecords, objectProgress } from './s3-source-support.js';

describe('s3-source SQS discovery against ElasticMQ', () => {
  const running: RunningStage[] = [];
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((s) => s.stop()));
  });

  it('handles SNS envelopes, TestEvents, several records per message and unreadable objects; keeps a slow object invisible to the second instance', async () => {
    const q = await sqsSetup(`s3-events-${Date.now()}`, { chunkRecords: 200 });
    const big = await q.putObject('firewall/big object.log', `${Array.from({ length: 60_000 }, (_, i) => `b${i}`).join('\n')}\n`);
    const a = await q.putObject('firewall/a.log', 'a0\na1\n');
    const b = await q.putObject('auth/b.log', 'b0\n');
    const c = await q.putObject('auth/c.log', 'c0\nc1\nc2\n');
    await q.send(s3Event(q.bucket, [big]));
    await q.send(s3Event(q.bucket, [a, b])); // several records in one message
    await q.send(snsEnvelope(s3Event(q.bucket, [c])));
    await q.send(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: new Date().toISOString(), Bucket: q.bucket }));
    await q.send(s3Event(q.bucket, [{ key: 'firewall/missing.log', etag: '0123456789abcdef0123456789abcdef', size: 1 }]));
    await q.send('this is not a notification');

    const first = await startStage(q.topology, 's3-source');
    const second = await startStage(q.topology, 's3-source');
    running.push(first, second);
    await waitFor('the queue to be empty', async () => ((await q.queueEmpty()) ? true : undefined), 180_000);

    const receivers = [first, second].map((s) => s.source?.sqs?.stats);
    expect(receivers.flatMap((r) => r?.receivedAgain ?? [])).toEqual([]);
    expect(receivers.reduce((n, r) => n + (r?.received ?? 0), 0)).toBe(6);
    expect(receivers.reduce((n, r) => n + (r?.deleted ?? 0), 0)).toBe(6);

    // the big object really took longer than the queue's visibility timeout, and was received once
    const bigUpdates = (await readAll(q.kafka, q.names.sourceOffsets))
      .map((m) => JSON.parse(m.message.value?.toString() ?? '{}') as { key?: string; updatedAt?: string })
      .filter((p) => p.key === big.key)
      .map((p) => Date.parse(p.updatedAt ?? ''));
    expect(Math.max(...bigUpdates) - Math.min(...bigUpdates)).toBeGreaterThan(VISIBILITY_SECONDS * 1_000);

    const progress = await objectProgress(q.kafka, q.names.sourceOffsets);
    expect(
      progress
        .filter((p) => p.done && !p.failed)
        .map((p) => p.key)
        .sort(),
    ).toEqual(['auth/b.log', 'auth/c.log', 'firewall/a.log', 'firewall/big object.log']);
    expect(progress.filter((p) => p.failed).map((p) => [p.key, p.failed?.code])).toEqual([
      ['firewall/missing.log', 'SOURCE_OBJECT_UNREADABLE'],
    ]);
    const count = await countRecords(q.kafka, q.names.allRaw);
    expect([count.total, count.duplicates]).toEqual([60_000 + 2 + 1 + 3, 0]);

    const dlq = (await readAll(q.kafka, q.names.dlq('s3-source'))).map((m) => ({
      h: readHeaders(m.message.headers),
      value: m.message.value?.toString(),
    }));
    expect(dlq.map((d) => d.h[DLQ_HEADER.errorCode]).sort()).toEqual(['RECORD_UNPARSEABLE', 'SOURCE_OBJECT_UNREADABLE']);
    expect(dlq.find((d) => d.h[DLQ_HEADER.errorCode] === 'SOURCE_OBJECT_UNREADABLE')?.h[RAW_HEADER.key]).toBe('firewall/missing.log');
    expect(dlq.find((d) => d.h[DLQ_HEADER.errorCode] === 'RECORD_UNPARSEABLE')?.value).toBe('this is not a notification');
  });
});
