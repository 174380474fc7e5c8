import { SiemStreamError } from '../../errors.js';
import { dlqMessage, type RejectedRecord, rejectedRecord } from '../../kafka/dlq.js';
import type { Message } from '../../kafka/message.js';
import { ByteBudget, recordBytes } from '../../kafka/record-bytes.js';
import { RAW_HEADER, rawRecordMessage } from '../../schemas/raw-record.js';
import { type IngestContext, workPosition } from './ingest-context.js';
import { type ObjectProgress, stateMessage } from './progress-store.js';
import { s3ObjectsDeadLettered, s3Records } from './source-metrics.js';
import { commitSourceTransaction, type SourceTransaction } from './source-transaction.js';
import type { WorkItem } from './work-item.js';

const STAGE = 's3-source';
export const OVERSIZE_HEADER = 'siem.s3.record.bytes';
/** the largest record value this object's chunks can carry (the smaller of maxRecordBytes and the topic's limit) */
export const LIMIT_HEADER = 'siem.s3.record.limit';
/** set on a DLQ record whose value is only the first bytes of the original */
export const TRUNCATED_HEADER = 'siem.dlq.value.truncated';
/** an object failure's message kept in its progress record (the DLQ record has the full context) */
const PROGRESS_MESSAGE_CHARS = 1_000;
/** the widest record number a header can hold, for size estimates made before the number is known */
const WIDEST_RECORD_NUMBER = 999_999_999_999;

/**
 * Collects a chunk's records and DLQ records and commits them with the object's progress, in one
 * transaction. Its bytes are counted (record-bytes.ts) against the chunk's limit — the smallest
 * `max.message.bytes` of the topics it writes — keeping room for the progress record.
 */
export class ChunkWriter {
  private messages = new Map<string, Message[]>();
  private count = 0;
  private emitted = 0;
  private oversize = 0;
  private readonly budget: ByteBudget;
  /** the largest record value that fits a chunk of this object on its own */
  readonly valueCap: number;

  constructor(
    private readonly ctx: IngestContext,
    private readonly item: WorkItem,
  ) {
    const widest = this.progress(WIDEST_RECORD_NUMBER, true, 'x'.repeat(PROGRESS_MESSAGE_CHARS));
    if (ctx.afterIngest) widest.afterIngest = { ...ctx.afterIngest, state: 'pending' };
    const reserve = recordBytes(stateMessage(widest));
    this.budget = new ByteBudget(ctx.chunkLimitBytes, reserve);
    const envelope = recordBytes(rawRecordMessage(item, WIDEST_RECORD_NUMBER, ''));
    this.valueCap = Math.max(0, Math.min(ctx.config.maxRecordBytes, this.budget.capacity - envelope));
  }

  get size(): number {
    return this.count;
  }

  /** Whether a message fits the open chunk; one that fits no chunk is refused by `add`. */
  fits(message: Message): boolean {
    return this.budget.fits(recordBytes(message));
  }

  add(topic: string, message: Message): void {
    const bytes = recordBytes(message);
    if (!this.budget.fitsAlone(bytes)) throw new Error(`a ${bytes}-byte record cannot fit a ${this.budget.limitBytes}-byte chunk`);
    const list = this.messages.get(topic) ?? [];
    list.push(message);
    this.messages.set(topic, list);
    this.budget.add(bytes);
    this.count++;
    if (topic !== this.ctx.names.dlq(STAGE)) this.emitted++;
  }

  /** The DLQ record of a record over `valueCap`: its first bytes (as many as the DLQ record can carry) and its size. */
  oversizeMessage(rawTopic: string, recordNumber: number, head: Buffer, bytes: number): Message {
    const raw = rawRecordMessage(this.item, recordNumber, head);
    const error = new SiemStreamError(
      'RECORD_TOO_LARGE',
      `record ${recordNumber} of s3://${this.item.bucket}/${this.item.key} is ${bytes} bytes; a record of this object may have ${this.valueCap} (the smaller of maxRecordBytes and the chunk limit ${this.budget.limitBytes} from max.message.bytes)`,
      { stage: STAGE },
    );
    const rejected: RejectedRecord = {
      topic: rawTopic,
      partition: -1,
      offset: '-1',
      timestamp: String(Date.now()),
      key: Buffer.from(raw.key),
      value: Buffer.alloc(0),
      headers: { ...raw.headers, [OVERSIZE_HEADER]: String(bytes), [LIMIT_HEADER]: String(this.valueCap), [TRUNCATED_HEADER]: 'true' },
    };
    const room = this.budget.capacity - recordBytes(dlqMessage(rejected, error, STAGE));
    rejected.value = head.subarray(0, Math.max(0, Math.min(head.length, room)));
    return dlqMessage(rejected, error, STAGE);
  }

  /** Adds the DLQ record of an oversize record (the caller made room for it). */
  addOversize(message: Message, recordNumber: number, bytes: number): void {
    this.add(this.ctx.names.dlq(STAGE), message);
    this.oversize++;
    this.ctx.logger.warn({ recordNumber, bytes, limit: this.valueCap }, 'record over the size limit sent to the DLQ');
  }

  async commit(nextRecord: number, done: boolean, failed?: SiemStreamError): Promise<void> {
    const progress = this.progress(nextRecord, done, failed?.message, failed?.code);
    // an object read to its end with an after-ingest action: its work record is consumed when the action is recorded (after-ingest.ts)
    const action = done && !failed ? this.ctx.afterIngest : undefined;
    if (action) progress.afterIngest = { ...action, state: 'pending' };
    const transaction: SourceTransaction = {
      messages: this.messages,
      progress: [progress],
      progressPartition: this.ctx.work.partition,
      consumed: workPosition(this.ctx.work, done && !action),
      faultPoint: this.count > 0,
    };
    await commitSourceTransaction(this.ctx.transactions, transaction, this.ctx.names, STAGE);
    s3Records.inc({ outcome: 'emitted' }, this.emitted);
    if (this.oversize > 0) s3Records.inc({ outcome: 'oversize' }, this.oversize);
    this.ctx.onCommitted(progress, this.emitted);
    this.messages = new Map();
    this.budget.reset();
    this.count = 0;
    this.emitted = 0;
    this.oversize = 0;
  }

  /**
   * Records the object as failed (or superseded): a DLQ record with the work item and the error,
   * and the progress `done` + `failed` in the same transaction as what was read before, which
   * also marks the work record consumed — the objects behind it on its work partition go on.
   */
  async deadLetter(failure: SiemStreamError, nextRecord: number, attempts: number, reason: string): Promise<void> {
    const { bucket, key, etag } = this.item;
    const work = this.ctx.work;
    const rejected = rejectedRecord(work.topic, work.partition, work.message);
    rejected.headers = { ...rejected.headers, [RAW_HEADER.bucket]: bucket, [RAW_HEADER.key]: key, [RAW_HEADER.etag]: etag };
    const message = dlqMessage(rejected, failure, STAGE, attempts);
    if (!this.fits(message) && this.count > 0) await this.commit(nextRecord, false);
    this.add(this.ctx.names.dlq(STAGE), message);
    this.ctx.logger.error({ reason, attempts, nextRecord, err: failure }, 'object dead-lettered');
    await this.commit(nextRecord, true, failure);
    s3ObjectsDeadLettered.inc({ reason });
  }

  private progress(nextRecord: number, done: boolean, failedMessage?: string, failedCode?: string): ObjectProgress {
    return {
      kind: 'object',
      bucket: this.item.bucket,
      key: this.item.key,
      etag: this.item.etag,
      logType: this.item.logType,
      ...(this.item.reingestId ? { reingestId: this.item.reingestId } : {}),
      nextRecord,
      done,
      ...(failedMessage !== undefined
        ? { failed: { code: failedCode ?? 'SOURCE_OBJECT_UNREADABLE', message: failedMessage.slice(0, PROGRESS_MESSAGE_CHARS) } }
        : {}),
      updatedAt: new Date().toISOString(),
    };
  }
}
