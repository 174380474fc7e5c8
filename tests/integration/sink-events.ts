import { loadSchema } from '../../src/schemas/catalog.js';
import { deterministicEventId } from '../../src/schemas/event-id.js';
import { type EnrichedEvent, NORMALIZED_FIELDS } from '../../src/schemas/events.js';

/**
 * every normalized field null, and every optional enriched field (null default in the schema, as a
 * decoded event carries them): they stay so unless a test sets them
 */
const OPTIONAL_ENRICHED = loadSchema('enriched')
  .fields.filter((f) => f.default === null)
  .map((f) => f.name);
const NULLS = Object.fromEntries([...NORMALIZED_FIELDS, ...OPTIONAL_ENRICHED].map((f) => [f, null])) as unknown as EnrichedEvent;

let sequence = 0;

/** An enriched event as the enricher writes it; its EventId is derived like the parser's. */
export function enrichedEvent(i: number, overrides: Partial<EnrichedEvent> = {}): EnrichedEvent {
  const auth = i % 3 === 0;
  const now = Date.now();
  return {
    ...NULLS,
    EventId: deterministicEventId('sink-test', 0, `${now}-${sequence++}-${i}`),
    EventSchema: auth ? 'Authentication' : 'NetworkSession',
    EventSchemaVersion: '0.1',
    TimeGenerated: now - i,
    EventStartTime: null,
    EventEndTime: null,
    EventType: auth ? 'Logon' : 'Flow',
    EventResult: 'Success',
    EventSeverity: 'Informational',
    EventOriginalSeverity: null,
    EventOriginalUid: `uid-${i}`,
    EventProduct: 'Test',
    EventVendor: 'Example',
    SrcIpAddr: `10.0.${(i >> 8) & 255}.${i & 255}`,
    SrcPortNumber: 1024 + (i % 5_000),
    DstIpAddr: '192.0.2.10',
    DstPortNumber: 443,
    NetworkProtocol: 'TCP',
    DvcAction: 'Allow',
    SrcBytes: i * 10,
    ActorUsername: auth ? `user${i % 50}` : null,
    TargetUsername: null,
    EntityKey: `10.0.${(i >> 8) & 255}.${i & 255}`,
    LogType: auth ? 'auth' : 'firewall',
    SourceBucket: 'sink-test',
    SourceKey: `objects/${Math.floor(i / 100)}.json`,
    SourceRecordNumber: i,
    AdditionalFields: { note: `event ${i}` },
    WindowStart: now - (now % 60_000),
    WindowSizeMs: 60_000,
    WindowEventCount: 1,
    ...overrides,
  };
}
