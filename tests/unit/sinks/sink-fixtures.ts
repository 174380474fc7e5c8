import { type EnrichedEvent, NORMALIZED_FIELDS } from '../../../src/schemas/events.js';

/** every normalized field null: the optional ones stay so unless a test sets them */
const NULLS = Object.fromEntries(NORMALIZED_FIELDS.map((f) => [f, null])) as unknown as EnrichedEvent;

export function enrichedEventFixture(overrides: Partial<EnrichedEvent> = {}): EnrichedEvent {
  return {
    ...NULLS,
    EventId: '7a1c0f4e-0000-8000-8000-000000000001',
    EventSchema: 'NetworkSession',
    EventSchemaVersion: '0.1',
    TimeGenerated: Date.UTC(2026, 10, 23, 9, 0, 0, 123),
    EventStartTime: null,
    EventEndTime: null,
    EventType: 'Flow',
    EventResult: 'Success',
    EventSeverity: 'Informational',
    EventOriginalSeverity: null,
    EventOriginalUid: 'uid-1',
    EventProduct: 'Edge Firewall',
    EventVendor: 'Example',
    SrcIpAddr: '10.0.0.1',
    SrcPortNumber: 51000,
    DstIpAddr: '192.0.2.10',
    DstPortNumber: 443,
    NetworkProtocol: 'TCP',
    DvcAction: 'Allow',
    SrcBytes: 1234,
    ActorUsername: null,
    TargetUsername: null,
    EntityKey: '10.0.0.1',
    LogType: 'firewall',
    SourceBucket: 'bucket',
    SourceKey: 'firewall/1.json',
    SourceRecordNumber: 1,
    AdditionalFields: { rule: 'allow-https' },
    WindowStart: Date.UTC(2026, 10, 23, 9, 0, 0),
    WindowSizeMs: 60_000,
    WindowEventCount: 1,
    ...overrides,
  };
}
