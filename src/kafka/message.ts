/**
 * The project's own record shapes: what stages write and read, whatever Kafka client carries them
 * (both the librdkafka client's KafkaJS API and kafkajs accept and deliver these shapes).
 */
export interface MessageHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

/** A record to write. */
export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: MessageHeaders;
  timestamp?: string;
}

/** A record read from a partition. */
export interface ConsumedMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
  timestamp: string;
  headers?: MessageHeaders;
}

/** Writes plain (non-transactional) batches; both clients' producers fit. */
export interface BatchSender {
  sendBatch(batch: { topicMessages: Array<{ topic: string; messages: Message[] }> }): Promise<unknown>;
}
