/** TypeScript shape of schemas/normalized-event.avsc (tests/unit/schemas keeps the two in step). */
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
  EventSubType: string | null;
  EventMessage: string | null;
  EventOriginalType: string | null;
  EventResultDetails: string | null;
  Dvc: string | null;
  DvcHostname: string | null;
  DvcIpAddr: string | null;
  DvcScopeId: string | null;
  DvcInterface: string | null;
  SrcHostname: string | null;
  DstHostname: string | null;
  DstBytes: number | null;
  NetworkPackets: number | null;
  NetworkDirection: string | null;
  NetworkRuleName: string | null;
  ActorUserId: string | null;
  ActorUserType: string | null;
  TargetAppName: string | null;
  LogonMethod: string | null;
  Operation: string | null;
  Object: string | null;
  ObjectType: string | null;
  Url: string | null;
  HttpRequestMethod: string | null;
  HttpStatusCode: number | null;
  HttpUserAgent: string | null;
  ThreatName: string | null;
  ThreatCategory: string | null;
  EntityKey: string;
  LogType: string;
  SourceBucket: string;
  SourceKey: string;
  SourceRecordNumber: number;
  AdditionalFields: Record<string, string>;
}

/** TypeScript shape of schemas/enriched-event.avsc: every normalized field plus the enricher's. */
export interface EnrichedEvent extends NormalizedEvent {
  WindowStart: number;
  WindowSizeMs: number;
  WindowEventCount: number;
}

/** ASIM schemas an event can declare in EventSchema. */
export const EVENT_SCHEMAS = ['NetworkSession', 'Authentication', 'AuditEvent', 'WebSession', 'Event'] as const;
export type EventSchemaName = (typeof EVENT_SCHEMAS)[number];

/** Normalized fields a parser (or a JSON log type's field map) fills from its source. */
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
  'EventSubType',
  'EventMessage',
  'EventOriginalType',
  'EventResultDetails',
  'Dvc',
  'DvcHostname',
  'DvcIpAddr',
  'DvcScopeId',
  'DvcInterface',
  'SrcHostname',
  'DstHostname',
  'DstBytes',
  'NetworkPackets',
  'NetworkDirection',
  'NetworkRuleName',
  'ActorUserId',
  'ActorUserType',
  'TargetAppName',
  'LogonMethod',
  'Operation',
  'Object',
  'ObjectType',
  'Url',
  'HttpRequestMethod',
  'HttpStatusCode',
  'HttpUserAgent',
  'ThreatName',
  'ThreatCategory',
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

/** The version of the model written into EventSchemaVersion. */
export const EVENT_SCHEMA_VERSION = '0.2';
