import { CloudWatchLogsClient, type InputLogEvent, PutLogEventsCommand, type RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';
import { awsClientOptions } from '../../config/aws.js';
import { SiemStreamError } from '../../errors.js';
import type { SinkContext, SinkRecord, SinkWriter, WriteOutcome } from '../sink-module.js';
import { isNotFound, outcomeOfError } from './aws-errors.js';
import type { CloudWatchLogsSinkConfig } from './config.js';
import { eventBytes, PUT_LOG_EVENTS, timestampProblem } from './limits.js';
import { LogStreams } from './log-streams.js';
import { fillName, type LogTarget, targetProblem } from './names.js';
import { chronologicalRuns } from './runs.js';

/**
 * Sends batches to CloudWatch Logs with PutLogEvents. The runtime's batches already respect the
 * call's 1 MiB (message bytes + 26 per event) and 10,000 events; here each batch is put in time
 * order and cut where it would span more than 24 hours, and events CloudWatch would refuse for
 * their time go to the DLQ instead of being silently dropped by the service.
 */
export class CloudWatchLogsWriter implements SinkWriter<InputLogEvent> {
  readonly limits = { maxBatchBytes: PUT_LOG_EVENTS.maxBatchBytes, maxBatchRecords: PUT_LOG_EVENTS.maxBatchEvents };
  private readonly client: CloudWatchLogsClient;
  private readonly streams: LogStreams;

  constructor(
    private readonly config: CloudWatchLogsSinkConfig,
    private readonly context: SinkContext,
  ) {
    this.client = new CloudWatchLogsClient(awsClientOptions(config));
    this.streams = new LogStreams(this.client, config, context.logger);
  }

  encode(record: SinkRecord) {
    const { event } = record;
    const stage = this.context.stage;
    const target = { group: fillName(this.config.logGroup, event), stream: fillName(this.config.logStream, event) };
    const badName = targetProblem(target);
    if (badName) throw new SiemStreamError('DESTINATION_REJECTED', badName, { stage });
    // the whole event, EventId included: a redelivery is recognisable in CloudWatch too
    const message = JSON.stringify(event);
    const bytes = eventBytes(message);
    if (bytes > this.config.maxEventBytes) {
      throw new SiemStreamError(
        'RECORD_TOO_LARGE',
        `CloudWatch Logs event of ${bytes} bytes (message + 26) is over maxEventBytes ${this.config.maxEventBytes}`,
        { stage },
      );
    }
    const now = Date.now();
    const timestamp = this.config.timestamp === 'delivery-time' ? now : event.TimeGenerated;
    const late = timestampProblem(timestamp, now);
    if (late) throw new SiemStreamError('DESTINATION_REJECTED', late, { stage });
    return { batchKey: `${target.group}:${target.stream}`, payload: { timestamp, message }, bytes };
  }

  async write(key: string, events: InputLogEvent[], signal: AbortSignal): Promise<WriteOutcome[]> {
    const split = key.indexOf(':');
    const target = { group: key.slice(0, split), stream: key.slice(split + 1) };
    const outcomes: WriteOutcome[] = new Array(events.length);
    // time passes between encode and a retried write: an event may have become too old since
    const now = Date.now();
    const sendable: number[] = [];
    events.forEach((event, i) => {
      const late = timestampProblem(event.timestamp as number, now);
      if (late) outcomes[i] = this.rejected(late);
      else sendable.push(i);
    });
    for (const run of chronologicalRuns(sendable, (i) => events[i]?.timestamp as number, PUT_LOG_EVENTS.maxSpanMs)) {
      const answers = await this.put(
        target,
        run.map((i) => events[i] as InputLogEvent),
        signal,
      );
      run.forEach((index, j) => {
        outcomes[index] = answers[j] as WriteOutcome;
      });
    }
    return outcomes;
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /** One PutLogEvents call with events in time order; an outcome per event. */
  private async put(target: LogTarget, logEvents: InputLogEvent[], signal: AbortSignal): Promise<WriteOutcome[]> {
    const what = `PutLogEvents ${target.group} ${target.stream}`;
    const abortSignal = AbortSignal.any([signal, AbortSignal.timeout(this.config.requestTimeoutMs)]);
    try {
      await this.streams.ensure(target, abortSignal);
      const answer = await this.client.send(
        new PutLogEventsCommand({ logGroupName: target.group, logStreamName: target.stream, logEvents }),
        { abortSignal },
      );
      return logEvents.map((_, i) => this.outcomeOfAccepted(answer.rejectedLogEventsInfo, i));
    } catch (error) {
      const outcome = isNotFound(error) ? this.outcomeOfMissing(target, what, error) : outcomeOfError(error, what, this.context.stage);
      return logEvents.map(() => outcome);
    }
  }

  /**
   * The group or stream is gone (deleted, or a restarted local server): created again before the
   * retry, or the sink stops when it may not create them.
   */
  private outcomeOfMissing(target: LogTarget, what: string, cause: unknown): WriteOutcome {
    const stage = this.context.stage;
    this.streams.forget(target);
    if (!this.config.createMissing) {
      throw new SiemStreamError('DESTINATION_MISCONFIGURED', `${what}: log group or stream does not exist and createMissing is off`, {
        stage,
        cause,
      });
    }
    return {
      kind: 'retry',
      error: new SiemStreamError('DESTINATION_UNAVAILABLE', `${what}: log group or stream disappeared; creating it again`, {
        stage,
        cause,
      }),
    };
  }

  /**
   * The service accepted the call but may have refused events for their time (indexes into the
   * call's events: too old below tooOldLogEventEndIndex and expiredLogEventEndIndex, too new from
   * tooNewLogEventStartIndex on).
   */
  private outcomeOfAccepted(info: RejectedLogEventsInfo | undefined, i: number): WriteOutcome {
    if (info?.tooOldLogEventEndIndex !== undefined && i < info.tooOldLogEventEndIndex)
      return this.rejected('CloudWatch Logs refused the event as more than 14 days old');
    if (info?.expiredLogEventEndIndex !== undefined && i < info.expiredLogEventEndIndex)
      return this.rejected("CloudWatch Logs refused the event as older than the log group's retention");
    if (info?.tooNewLogEventStartIndex !== undefined && i >= info.tooNewLogEventStartIndex)
      return this.rejected('CloudWatch Logs refused the event as more than 2 hours in the future');
    return { kind: 'ok' };
  }

  private rejected(why: string): WriteOutcome {
    return { kind: 'reject', error: new SiemStreamError('DESTINATION_REJECTED', why, { stage: this.context.stage }) };
  }
}
