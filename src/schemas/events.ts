/** TypeScript shape of schemas/normalized-event.avsc (a test keeps the two in step). */
export interface NormalizedEvent {
  EventId: string;
  EventSchema: string;
  EventSchemaVersion: string;
  TimeGenerated: number;
  EventStartTime: number | null;
  EventEndTime: number | null;
  EventType: string;
  EventResult: string | null;
  EventSeverity: string | null;
  EventOriginalSeverity: string | null;
  EventOriginalUid: string | null;
  EventProduct: string | null;
  EventVendor: string | null;
  SrcIpAddr: string | null;
  SrcPortNumber: number | null;
  DstIpAddr: string | null;
  DstPortNumber: number | null;
  NetworkProtocol: string | null;
  DvcAction: string | null;
  SrcBytes: number | null;
  ActorUsername: string | null;
  TargetUsername: string | null;
  EntityKey: string;
  LogType: string;
  SourceBucket: string;
  SourceKey: string;
  SourceRecordNumber: number;
  AdditionalFields: Record<string, string>;
}

/** TypeScript shape of schemas/enriched-event.avsc. */
export interface EnrichedEvent extends NormalizedEvent {
  WindowStart: number;
  WindowSizeMs: number;
  WindowEventCount: number;
}

/** Normalized fields a log type's field map may fill from its source. */
export const MAPPABLE_FIELDS = [
  'TimeGenerated',
  'EventStartTime',
  'EventEndTime',
  'EventType',
  'EventResult',
  'EventSeverity',
  'EventOriginalSeverity',
  'EventOriginalUid',
  'EventProduct',
  'EventVendor',
  'SrcIpAddr',
  'SrcPortNumber',
  'DstIpAddr',
  'DstPortNumber',
  'NetworkProtocol',
  'DvcAction',
  'SrcBytes',
  'ActorUsername',
  'TargetUsername',
] as const satisfies ReadonlyArray<keyof NormalizedEvent>;

export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/** Every normalized field, in the order of schemas/normalized-event.avsc. */
export const NORMALIZED_FIELDS: ReadonlyArray<keyof NormalizedEvent> = [
  'EventId',
  'EventSchema',
  'EventSchemaVersion',
  ...MAPPABLE_FIELDS,
  'EntityKey',
  'LogType',
  'SourceBucket',
  'SourceKey',
  'SourceRecordNumber',
  'AdditionalFields',
];
