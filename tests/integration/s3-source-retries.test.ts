import type { Server } from 'node:http';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { metricsRegistry } from '../../src/observability/metrics.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { s3FaultProxy } from '../support/s3-fault-proxy.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { countRecords, createBucket, objectProgress, put } from './s3-source-support.js';

describe('s3-source retries', () => {
  const running: RunningStage[] = [];
  let proxy: Server | undefined;
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((s) => s.stop()));
    proxy?.close();
  });

  it('retries SlowDown with backoff and ingests the object once', async () => {
    const stack = inject('stack');
    // the first 3 object GETs get S3's throttling answer, as S3 gives it under load
    const throttling = await s3FaultProxy(stack.s3.endpoint, [
      { matches: () => true, status: 503, code: 'SlowDown', message: 'Please reduce your request rate.', times: 3 },
    ]);
    proxy = throttling.server;
    const topology = testTopology({ source: { s3: { endpoint: throttling.url, retry: { baseMs: 50, capMs: 500 } } } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const s3 = createS3Client(topology.source.s3);
    await createBucket(s3, topology.source.s3.bucket);
    await put(s3, topology.source.s3.bucket, 'firewall/throttled.log', 't0\nt1\nt2\n');
    const before = (await metricsRegistry.getSingleMetric('siem_retries_total')?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;

    running.push(await startStage(topology, 's3-source'));
    await waitFor('the object to be done', async () =>
      (await objectProgress(kafka, names.sourceOffsets).catch(() => [])).some((p) => p.done) ? true : undefined,
    );

    expect(throttling.answered()).toBe(3);
    const progress = await objectProgress(kafka, names.sourceOffsets);
    expect(progress.map((p) => [p.key, p.done, p.nextRecord, p.failed])).toEqual([['firewall/throttled.log', true, 3, undefined]]);
    const count = await countRecords(kafka, names.allRaw);
    expect([count.total, count.duplicates]).toEqual([3, 0]);
    const after = (await metricsRegistry.getSingleMetric('siem_retries_total')?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;
    expect(after - before).toBeGreaterThanOrEqual(3);
  });
});
