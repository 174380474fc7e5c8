import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import type { Kafka } from '../../kafka/client.js';
import { PRODUCER_DEFAULTS } from '../../kafka/client-factory.js';
import type { Logger } from '../../observability/logger.js';
import { compileRouter } from './key-routes.js';
import { progressKey } from './progress-store.js';
import { ProgressWatcher } from './progress-watcher.js';
import { withS3Retries } from './s3-retry.js';
import { bareEtag, type WorkItem, workMessage } from './work-item.js';

export interface ReingestOptions {
  bucket: string;
  prefix: string;
  /** only objects last modified at or after this instant */
  from?: Date;
  /** only objects last modified before this instant */
  to?: Date;
  wait: boolean;
  onProgress?: (counters: { listed: number; enqueued: number; finished: number; unrouted: number }) => void;
}

export interface ReingestResult {
  reingestId: string;
  enqueued: number;
  finished: number;
  unrouted: number;
}

/**
 * Puts chosen objects on the source's work topic again under a new re-ingest id, so the running
 * source instances read them once more through the same exactly-once path (their progress is kept
 * per re-ingest run). With `wait`, follows the progress topic until every one is finished.
 */
export async function reingest(
  topology: Topology,
  kafka: Kafka,
  s3: S3Client,
  logger: Logger,
  options: ReingestOptions,
): Promise<ReingestResult> {
  const names = topicNames(topology);
  const route = compileRouter(topology.source.s3.routes, topology.source.s3.ignore);
  const reingestId = `${new Date().toISOString().replace(/[-:.]/g, '')}-${randomUUID().slice(0, 8)}`;
  const counters = { listed: 0, enqueued: 0, finished: 0, unrouted: 0 };
  const watcher = options.wait ? new ProgressWatcher(kafka, names.sourceOffsets, logger) : undefined;
  await watcher?.start();
  const producer = kafka.producer(PRODUCER_DEFAULTS);
  await producer.connect();
  const finished: Array<Promise<void>> = [];
  try {
    let token: string | undefined;
    do {
      const page = await withS3Retries(`listing s3://${options.bucket}/${options.prefix}`, topology.source.s3.retry, logger, () =>
        s3.send(new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix, ContinuationToken: token })),
      );
      const items: WorkItem[] = [];
      for (const object of page.Contents ?? []) {
        if (!object.Key || object.Key.endsWith('/')) continue;
        const modified = object.LastModified?.getTime() ?? 0;
        if ((options.from && modified < options.from.getTime()) || (options.to && modified >= options.to.getTime())) continue;
        counters.listed++;
        const target = route(object.Key);
        if (!target) {
          counters.unrouted++;
          continue;
        }
        items.push({
          bucket: options.bucket,
          key: object.Key,
          etag: bareEtag(object.ETag),
          logType: target.logType,
          framing: target.framing,
          via: 'reingest',
          reingestId,
          discoveredAt: new Date().toISOString(),
        });
      }
      for (const item of items) {
        finished.push(
          (watcher as ProgressWatcher | undefined)?.waitFor(progressKey(item)).then(() => {
            counters.finished++;
            options.onProgress?.(counters);
          }) ?? Promise.resolve(),
        );
      }
      if (items.length > 0)
        await producer.send({ topic: names.sourceWork, messages: items.map((item) => workMessage(item, topology.source.s3.order)) });
      counters.enqueued += items.length;
      options.onProgress?.(counters);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (watcher) await Promise.all(finished);
  } finally {
    await producer.disconnect();
    await watcher?.stop();
  }
  return { reingestId, enqueued: counters.enqueued, finished: counters.finished, unrouted: counters.unrouted };
}
