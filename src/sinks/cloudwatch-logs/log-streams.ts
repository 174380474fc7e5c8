import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Logger } from '../../observability/logger.js';
import { isAlreadyExists } from './aws-errors.js';
import type { LogTarget } from './names.js';

/**
 * Log groups and streams this process knows to exist. A target is created (once, however many
 * batches ask at the same time) before its first PutLogEvents; one that exists already is fine.
 * A stream that disappears (deleted, or a restarted test server) is forgotten and created again.
 */
export class LogStreams {
  private readonly groups = new Set<string>();
  private readonly ready = new Map<string, Promise<void>>();

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly options: { createMissing: boolean; retentionInDays?: number | undefined },
    private readonly logger: Logger,
  ) {}

  ensure(target: LogTarget, signal: AbortSignal): Promise<void> {
    if (!this.options.createMissing) return Promise.resolve();
    const key = `${target.group}:${target.stream}`;
    let ready = this.ready.get(key);
    if (!ready) {
      ready = this.create(target, signal);
      const attempt = ready;
      this.ready.set(key, attempt);
      // a failed creation is tried again by the next batch
      attempt.catch(() => {
        if (this.ready.get(key) === attempt) this.ready.delete(key);
      });
    }
    return ready;
  }

  forget(target: LogTarget): void {
    this.groups.delete(target.group);
    this.ready.delete(`${target.group}:${target.stream}`);
  }

  private async create(target: LogTarget, signal: AbortSignal): Promise<void> {
    if (!this.groups.has(target.group)) {
      const created = await this.tolerateExisting(() =>
        this.client.send(new CreateLogGroupCommand({ logGroupName: target.group }), { abortSignal: signal }),
      );
      if (created && this.options.retentionInDays !== undefined) {
        await this.client.send(
          new PutRetentionPolicyCommand({ logGroupName: target.group, retentionInDays: this.options.retentionInDays }),
          { abortSignal: signal },
        );
      }
      if (created) this.logger.info({ logGroup: target.group, retentionInDays: this.options.retentionInDays }, 'log group created');
      this.groups.add(target.group);
    }
    const created = await this.tolerateExisting(() =>
      this.client.send(new CreateLogStreamCommand({ logGroupName: target.group, logStreamName: target.stream }), { abortSignal: signal }),
    );
    if (created) this.logger.info({ logGroup: target.group, logStream: target.stream }, 'log stream created');
  }

  /** true when the call created the resource, false when it existed already */
  private async tolerateExisting(call: () => Promise<unknown>): Promise<boolean> {
    try {
      await call();
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw error;
    }
  }
}
