import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { metricsRegistry } from '../../src/observability/metrics.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { countRecords, createBucket, objectProgress, put } from './s3-source-support.js';

/**
 * A pass-through proxy in front of the real S3 server that answers the first `failures` object
 * GETs with S3's throttling answer (503 SlowDown), the way S3 does under load. The Host header is
 * kept, so the SigV4 signature still matches at the server.
 */
async function slowDownProxy(target: string, failures: number): Promise<{ url: string; refused: () => number; server: Server }> {
  const upstream = new URL(target);
  let refused = 0;
  const server = createServer((req, res) => {
    const isObjectGet =
      req.method === 'GET' && !(req.url ?? '').includes('list-type=') && ((req.url ?? '').split('?')[0] ?? '').split('/').length > 2;
    if (isObjectGet && refused < failures) {
      refused++;
      req.resume();
      res
        .writeHead(503, { 'content-type': 'application/xml', 'x-amz-request-id': `proxy-${refused}` })
        .end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
        );
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, refused: () => refused, server };
}

describe('s3-source retries', () => {
  const running: RunningStage[] = [];
  let proxy: Server | undefined;
  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((s) => s.stop()));
    proxy?.close();
  });

  it('retries SlowDown with backoff and ingests the object once', async () => {
    const stack = inject('stack');
    const throttling = await slowDownProxy(stack.s3.endpoint, 3);
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

    expect(throttling.refused()).toBe(3);
    const progress = await objectProgress(kafka, names.sourceOffsets);
    expect(progress.map((p) => [p.key, p.done, p.nextRecord, p.failed])).toEqual([['firewall/throttled.log', true, 3, undefined]]);
    const count = await countRecords(kafka, names.allRaw);
    expect([count.total, count.duplicates]).toEqual([3, 0]);
    const after = (await metricsRegistry.getSingleMetric('siem_retries_total')?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;
    expect(after - before).toBeGreaterThanOrEqual(3);
  });
});
