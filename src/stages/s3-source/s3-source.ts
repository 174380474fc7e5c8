import type { S3Client } from '@aws-sdk/client-s3';
import type { Topology } from '../../config/schema.js';
import { topicNames } from '../../config/topics.js';
import type { Kafka } from '../../kafka/client.js';
import type { Logger } from '../../observability/logger.js';
import { FatalSignal } from '../../runtime/fatal-signal.js';
import { ChunkLimits } from './chunk-limits.js';
import { compileRouter } from './key-routes.js';
import { Lister } from './lister.js';
import { ProgressWatcher } from './progress-watcher.js';
import { createSqsClient } from './s3-client.js';
import { SqsReceiver } from './sqs-receiver.js';
import { type SourceStats, WorkConsumer } from './work-consumer.js';

export type S3SourceStats = SourceStats;

/**
 * The S3 source: discovery (polling or SQS) puts objects on the work topic; the instances of the
 * source share that topic as a consumer group and read each object into `raw.<logtype>`, a chunk
 * and its progress in one transaction. See docs/s3-source.md.
 */
export class S3Source {
  readonly stats: S3SourceStats = { objectsCompleted: 0, objectsFailed: 0, objectsSkipped: 0, recordsEmitted: 0 };
  private readonly router;
  private readonly work: WorkConsumer;
  private lister: Lister | undefined;
  private listerChange: Promise<void> = Promise.resolve();
  private watcher: ProgressWatcher | undefined;
  sqs: SqsReceiver | undefined;
  private gauges: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly limits: ChunkLimits;
  private readonly fatal = new FatalSignal();

  constructor(
    private readonly topology: Topology,
    private readonly kafka: Kafka,
    private readonly s3: S3Client,
    private readonly logger: Logger,
  ) {
    this.router = compileRouter(topology.source.s3.routes, topology.source.s3.ignore);
    this.limits = new ChunkLimits(topology, logger);
    this.work = new WorkConsumer(topology, s3, logger, this.stats, (partitions) => this.assigned(partitions), this.limits);
    this.work.failed.catch((error: unknown) => this.fail(error));
  }

  /**
   * Rejects when a long-running piece stops for good — the work consumer or the progress watcher
   * cannot go on (fenced, out of its group), the lister's or the SQS receiver's loop threw — so
   * the process exits instead of living on doing nothing.
   */
  get failed(): Promise<never> {
    return this.fatal.failed;
  }

  /** the work partitions this instance owns now */
  get workPartitions(): readonly number[] {
    return this.work.assignedPartitions;
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.logger.error({ err: error }, 'the S3 source stopped for good');
    this.fatal.fail(error);
  }

  async start(): Promise<void> {
    const config = this.topology.source.s3;
    await this.limits.refresh();
    await this.work.start();
    if (config.discovery === 'sqs') {
      this.watcher = new ProgressWatcher(this.kafka, topicNames(this.topology).sourceOffsets, this.logger);
      this.watcher.failed.catch((error: unknown) => this.fail(error));
      await this.watcher.start();
      this.sqs = new SqsReceiver(this.topology, this.kafka, this.s3, createSqsClient(config), this.watcher, this.router, this.logger);
      await this.sqs.start();
      const sqs = this.sqs;
      sqs.finished.then(
        () => {
          if (!this.stopped) this.fail(new Error('the SQS receiver stopped'));
        },
        (error: unknown) => this.fail(error),
      );
    }
    this.gauges = setInterval(() => this.work.updateGauges(), 5_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.gauges);
    await this.sqs?.stop();
    await this.listerChange;
    await this.lister?.stop();
    await this.work.stop();
    await this.watcher?.stop();
  }

  /** Polling runs in the instance that owns work partition 0; it moves with that partition. */
  private assigned(partitions: number[]): void {
    if (this.topology.source.s3.discovery !== 'polling') return;
    const wanted = partitions.includes(0) && !this.stopped;
    this.listerChange = this.listerChange.then(async () => {
      if (wanted && !this.lister) {
        const lister = new Lister(this.topology, this.kafka, this.s3, this.logger.child({ component: 'lister' }), this.router);
        try {
          await lister.start();
          this.lister = lister;
          lister.finished.then(
            () => this.listerEnded(lister),
            (error: unknown) => this.fail(error),
          );
        } catch (error) {
          this.logger.error({ err: error }, 'lister failed to start; trying again after the poll interval');
          setTimeout(() => this.assigned(this.work.assignedPartitions), this.topology.source.s3.pollIntervalMs);
        }
      } else if (!wanted && this.lister) {
        const lister = this.lister;
        this.lister = undefined;
        await lister.stop();
      }
    });
    this.listerChange = this.listerChange.catch((error: unknown) => this.logger.error({ err: error }, 'stopping the lister failed'));
  }

  /** A lister fenced by another instance's ends its loop; if this instance still owns partition 0, start a new one later. */
  private listerEnded(lister: Lister): void {
    if (this.stopped || this.lister !== lister) return;
    this.lister = undefined;
    this.logger.warn('the lister stopped (fenced); starting it again after the poll interval if this instance owns work partition 0');
    setTimeout(() => this.assigned(this.work.assignedPartitions), this.topology.source.s3.pollIntervalMs).unref();
  }
}
