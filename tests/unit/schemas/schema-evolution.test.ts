import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { type AvroRecordSchema, loadSchema, SCHEMAS_DIR } from '../../../src/schemas/catalog.js';
import { NORMALIZED_FIELDS } from '../../../src/schemas/events.js';
import { INCIDENT_FIELDS, type Incident } from '../../../src/schemas/incident.js';

const history = (file: string) => JSON.parse(readFileSync(join(SCHEMAS_DIR, 'history', file), 'utf8')) as AvroRecordSchema;
const type = (schema: AvroRecordSchema) => avro.Type.forSchema(schema as avro.Schema);

/** BACKWARD: consumers on the new schema read everything written with the previous one. */
function readsOldData(current: AvroRecordSchema, previous: AvroRecordSchema, sample: Record<string, unknown>) {
  const reader = type(current);
  const writer = type(previous);
  const resolver = reader.createResolver(writer);
  return reader.fromBuffer(writer.toBuffer(sample), resolver) as Record<string, unknown>;
}

const V1_EVENT = {
  EventId: 'id',
  EventSchema: 'NetworkSession',
  EventSchemaVersion: '0.1',
  TimeGenerated: 1_790_000_000_000,
  EventStartTime: null,
  EventEndTime: null,
  EventType: 'NetworkSession',
  EventResult: 'Success',
  EventSeverity: null,
  EventOriginalSeverity: null,
  EventOriginalUid: 'u',
  EventProduct: 'p',
  EventVendor: 'v',
  SrcIpAddr: '10.0.0.1',
  SrcPortNumber: 1,
  DstIpAddr: null,
  DstPortNumber: null,
  NetworkProtocol: 'TCP',
  DvcAction: 'allow',
  SrcBytes: 5,
  ActorUsername: null,
  TargetUsername: null,
  EntityKey: 'SrcIpAddr:10.0.0.1',
  LogType: 'firewall',
  SourceBucket: 'b',
  SourceKey: 'k',
  SourceRecordNumber: 0,
  AdditionalFields: { rule: 'r-1' },
};

describe('schema evolution (BACKWARD against the previously committed version)', () => {
  it('the normalized schema reads v1 events, new fields taking their defaults', () => {
    const event = readsOldData(loadSchema('normalized'), history('normalized-event.v1.avsc'), V1_EVENT);
    expect(event).toMatchObject({ ...V1_EVENT, Url: null, HttpStatusCode: null, ThreatName: null });
  });

  it('the enriched schema reads v1 enriched events', () => {
    const old = { ...V1_EVENT, WindowStart: 1_790_000_000_000, WindowSizeMs: 60_000, WindowEventCount: 3 };
    expect(readsOldData(loadSchema('enriched'), history('enriched-event.v1.avsc'), old)).toMatchObject({ ...old, DvcHostname: null });
  });

  it('the incident schema reads v1 incidents (the first version, kept so later changes are checked against it)', () => {
    const v1 = history('incident.v1.avsc');
    expect(v1.fields.map((f) => f.name)).toEqual(
      loadSchema('incident')
        .fields.slice(0, v1.fields.length)
        .map((f) => f.name),
    );
    const old = Object.fromEntries(v1.fields.map((f) => [f.name, sampleOf(f.type)]));
    expect(readsOldData(loadSchema('incident'), v1, old)).toMatchObject(old);
  });

  it('the check catches a change that is not BACKWARD (a new field without a default)', () => {
    const broken = loadSchema('normalized');
    broken.fields.push({ name: 'Mandatory', type: 'string' });
    expect(() => readsOldData(broken, history('normalized-event.v1.avsc'), V1_EVENT)).toThrow(/Mandatory/);
  });

  it('every field added since v1 is optional with a null default', () => {
    const before = new Set(history('normalized-event.v1.avsc').fields.map((f) => f.name));
    const added = loadSchema('normalized').fields.filter((f) => !before.has(f.name));
    expect(added.length).toBeGreaterThan(20);
    for (const field of added) {
      expect(field.default, field.name).toBeNull();
      expect(Array.isArray(field.type) && field.type[0] === 'null', field.name).toBe(true);
    }
  });
});

describe('schema files and TypeScript types stay in step', () => {
  it('NORMALIZED_FIELDS lists the normalized schema in order', () => {
    expect(loadSchema('normalized').fields.map((f) => f.name)).toEqual([...NORMALIZED_FIELDS]);
  });

  it('the enriched schema keeps every normalized field, identically, and adds the enricher’s', () => {
    const normalized = loadSchema('normalized').fields;
    const enriched = loadSchema('enriched').fields;
    for (const field of normalized)
      expect(
        enriched.find((f) => f.name === field.name),
        field.name,
      ).toEqual(field);
    expect(enriched.map((f) => f.name).filter((n) => !normalized.some((f) => f.name === n))).toEqual(
      expect.arrayContaining(['WindowStart', 'WindowSizeMs', 'WindowEventCount']),
    );
  });

  it('INCIDENT_FIELDS lists the incident schema in order, and an incident round-trips through it', () => {
    const schema = loadSchema('incident');
    expect(schema.fields.map((f) => f.name)).toEqual([...INCIDENT_FIELDS]);
    expect(schema.fields.filter((f) => !f.doc).map((f) => f.name)).toEqual([]);
    const incident: Incident = {
      IncidentId: 'a'.repeat(32),
      Revision: 2,
      EventId: `${'a'.repeat(32)}-2`,
      Status: 'updated',
      TimeGenerated: 1_790_000_060_000,
      EntityKey: 'SrcIpAddr:10.0.0.1',
      EventSchema: 'NetworkSession',
      LogType: 'firewall',
      TemplateId: '0123456789ab',
      Template: 'deny <IP> <NUM>',
      WindowStart: 1_790_000_000_000,
      WindowEnd: 1_790_000_900_000,
      FirstSeen: 1_790_000_001_000,
      LastSeen: 1_790_000_060_000,
      Count: 2,
      Reasons: ['score'],
      MaxScore: 0.31,
      TopFeatures: [{ Name: 'distinct_ports', Value: 40, Deviation: 7 }],
      ExampleEventIds: ['e1', 'e2'],
      ModelVersion: 'iforest-x',
    };
    expect(type(schema).fromBuffer(type(schema).toBuffer(incident))).toEqual(incident);
  });
});

/** A value of a (non-union) Avro field type, enough to write one record. */
function sampleOf(type: unknown): unknown {
  if (typeof type === 'object' && type !== null && 'type' in type) {
    const t = type as { type: string; logicalType?: string };
    if (t.type === 'array') return [];
    return sampleOf(t.type);
  }
  return { string: 's', int: 1, long: 2, double: 0.5, boolean: true }[type as string];
}
