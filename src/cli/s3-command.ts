import { type Command, InvalidArgumentError } from 'commander';
import { loadTopology } from '../config/load.js';
import { ensureTopics, topologyTopics } from '../kafka/admin.js';
import { createKafka } from '../kafka/client-factory.js';
import { rootLogger, sendLogsToFile } from '../observability/logger.js';
import { reingest } from '../stages/s3-source/reingest.js';
import { createS3Client } from '../stages/s3-source/s3-client.js';
import { createProgress } from './progress.js';

const instant = (value: string) => {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('expected an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z');
  return new Date(time);
};

/** `siem-stream s3 …`: operations on the S3 source. */
export function registerS3Commands(program: Command): void {
  const s3 = program.command('s3').description('S3 source operations');
  s3.command('reingest')
    .description('read chosen objects again through the running source (exactly once per re-ingest run), showing progress')
    .argument('<topology>', 'topology YAML, e.g. topologies/default.yaml')
    .requiredOption('--prefix <prefix>', 'key prefix of the objects to re-read ("" for the whole bucket)')
    .option('--bucket <bucket>', "bucket (default: the topology's source.s3.bucket)")
    .option('--from <instant>', 'only objects last modified at or after this instant', instant)
    .option('--to <instant>', 'only objects last modified before this instant', instant)
    .option('--no-wait', 'return once the objects are enqueued instead of following them to the end')
    .option('--log-file <file>', 'write logs here instead of stdout', '.siem-stream/reingest.log')
    .action(
      async (topologyPath: string, o: { prefix: string; bucket?: string; from?: Date; to?: Date; wait: boolean; logFile: string }) => {
        const topology = loadTopology(topologyPath);
        sendLogsToFile(o.logFile);
        const kafka = createKafka(topology.kafka, 'reingest');
        await ensureTopics(kafka, topologyTopics(topology));
        const progress = createProgress();
        const bucket = o.bucket ?? topology.source.s3.bucket;
        progress.note(
          `re-ingesting s3://${bucket}/${o.prefix}${o.from ? ` from ${o.from.toISOString()}` : ''}${o.to ? ` to ${o.to.toISOString()}` : ''}`,
        );
        const result = await reingest(topology, kafka, createS3Client(topology.source.s3), rootLogger.child({ command: 's3 reingest' }), {
          bucket,
          prefix: o.prefix,
          ...(o.from ? { from: o.from } : {}),
          ...(o.to ? { to: o.to } : {}),
          wait: o.wait,
          onProgress: (c) => progress.update(c),
        });
        progress.done();
        progress.note(
          `re-ingest ${result.reingestId}: ${result.enqueued} objects enqueued, ${o.wait ? `${result.finished} finished` : 'not followed (--no-wait)'}, ${result.unrouted} skipped (no route)`,
        );
      },
    );
}
