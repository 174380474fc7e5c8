import type { EventSchemaName, MappableField, NormalizedEvent } from '../../../schemas/events.js';

/** What a format fills in; the stage adds ids, source metadata, the entity key and nulls for the rest. */
export type EventFields = Partial<Pick<NormalizedEvent, MappableField>> & {
  TimeGenerated: number;
  EventSchema?: EventSchemaName;
  AdditionalFields?: Record<string, string>;
};

/**
 * A record is one event, or (VPC flow logs only) the header line that names the fields of the
 * lines after it. Anything else a format cannot read is thrown as RECORD_UNPARSEABLE/RECORD_INVALID.
 */
export type FormatResult = { kind: 'event'; fields: EventFields } | { kind: 'header'; fields: string[] };

export interface ParseContext {
  /** the raw record's headers (log type, S3 bucket/key/record number) */
  headers: Record<string, string>;
  /** the raw record's Kafka timestamp: the reference for timestamps without a year */
  receivedAt: number;
  /** bucket/key of the S3 object the record came from */
  objectId: string;
  /** field layouts announced by header lines, per object (VPC flow logs) */
  layouts: Map<string, string[]>;
}
