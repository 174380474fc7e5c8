import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import { ensureTopics } from '../../src/kafka/admin.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { type RunningStage, startStage } from '../../src/runtime/stages.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { Incident } from '../../src/schemas/incident.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import { incidentId } from '../../src/stages/enricher/incidents.js';
import { cloudwatchClient, eventIdOfMessage, storedLogEvents } from '../support/cloudwatch-logs.js';
import { cloudwatchDestination, splunkDestination, type TestDestination } from './sink-destinations.js';
import { countBy, sentinelConfig, sinkTestbed, startTestEmulator, until } from './sink-harness.js';

let emulator: LogsIngestionEmulator | undefined;
let stage: RunningStage | undefined;
afterAll(async () => {
  await stage?.stop();
  await emulator?.stop();
});

const T0 = Date.UTC(2026, 11, 7, 10, 0);

function revision(entity: string, n: number, status: Incident['Status'], count: number): Incident {
  const id = incidentId(entity, 'tpl', T0);
  return {
    IncidentId: id,
    Revision: n,
    EventId: `${id}-${n}`,
    Status: status,
    TimeGenerated: T0 + count * 1_000,
    EntityKey: entity,
    EventSchema: 'NetworkSession',
    LogType: 'firewall',
    TemplateId: 'tpl',
    Template: 'deny <IP> <NUM>',
    WindowStart: T0,
    WindowEnd: T0 + 900_000,
    FirstSeen: T0 + 1_000,
    LastSeen: T0 + count * 1_000,
    Count: count,
    Reasons: ['score'],
    MaxScore: 0.3,
    TopFeatures: [{ Name: 'distinct_ports', Value: 40, Deviation: 7 }],
    ExampleEventIds: Array.from({ length: Math.min(count, 5) }, (_, i) => `${entity}-e${i}`),
    ModelVersion: 'iforest-test',
  };
}

const incidents = [
  revision('SrcIpAddr:10.0.0.1', 1, 'open', 1),
  revision('SrcIpAddr:10.0.0.1', 2, 'updated', 2),
  revision('SrcIpAddr:10.0.0.1', 3, 'updated', 4),
  revision('SrcIpAddr:10.0.0.1', 4, 'closed', 7),
  revision('ActorUsername:eve', 1, 'open', 1),
  revision('ActorUsername:eve', 2, 'closed', 1),
];

/** The incidents topic with the revisions above, keyed by incident, as the enricher writes them. */
async function writeIncidents(bed: Awaited<ReturnType<typeof sinkTestbed>>): Promise<void> {
  await ensureTopics(bed.kafka, [{ topic: bed.names.incidents, numPartitions: 3, replicationFactor: 1 }]);
  const codec = new EventCodec<Incident>(createRegistry(bed.topology.schemaRegistry), bed.names.incidents, 'incident');
  await codec.register();
  const producer = bed.rd.producer({ kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false } });
  await producer.connect();
  await producer.send({
    topic: bed.names.incidents,
    messages: await Promise.all(incidents.map(async (i) => ({ key: i.IncidentId, value: await codec.encode(i) }))),
  });
  await producer.disconnect();
}

describe('incidents to Microsoft Sentinel', () => {
  it('a sink with input: incidents delivers every revision into SiemIncident_CL with the incident columns', async () => {
    emulator = await startTestEmulator(mkdtempSync(join(tmpdir(), 'siem-incidents-')));
    const e = emulator;
    const bed = await sinkTestbed((id) => [
      sentinelConfig(e, id, { name: 'sentinel-incidents', input: 'incidents', streams: { '*': 'Custom-SiemIncident' } }),
    ]);
    await writeIncidents(bed);

    // the stage as `run --stage sentinel-incidents` starts it: topic and schema from `input`
    stage = await startStage(bed.topology, 'sentinel-incidents');
    const rows = await until('every revision in SiemIncident_CL', () => {
      const stored = e.store.records({ table: 'SiemIncident_CL' });
      return stored.length >= incidents.length ? stored : undefined;
    });
    await new Promise((r) => setTimeout(r, 1_500)); // anything duplicated arrives before counting
    expect(e.store.records()).toHaveLength(incidents.length);
    expect(rows.map((r) => r.stream)).toEqual(incidents.map(() => 'Custom-SiemIncident'));
    expect(rows.flatMap((r) => r.droppedColumns ?? [])).toEqual([]);
    expect(rows.map((r) => r.record.EventId).sort()).toEqual(incidents.map((i) => i.EventId).sort());

    const closed = rows.find((r) => r.record.EventId === incidents[3]?.EventId)?.record;
    expect(closed).toMatchObject({
      IncidentId: incidentId('SrcIpAddr:10.0.0.1', 'tpl', T0),
      Revision: 4,
      Status: 'closed',
      Count: 7,
      FirstSeen: new Date(T0 + 1_000).toISOString(),
      LastSeen: new Date(T0 + 7_000).toISOString(),
      WindowStart: new Date(T0).toISOString(),
      TimeGenerated: new Date(T0 + 7_000).toISOString(),
      Reasons: ['score'],
      TopFeatures: [{ Name: 'distinct_ports', Value: 40, Deviation: 7 }],
      ExampleEventIds: [
        'SrcIpAddr:10.0.0.1-e0',
        'SrcIpAddr:10.0.0.1-e1',
        'SrcIpAddr:10.0.0.1-e2',
        'SrcIpAddr:10.0.0.1-e3',
        'SrcIpAddr:10.0.0.1-e4',
      ],
    });
    expect(await readAll(bed.kafka, bed.names.dlq('sentinel-incidents'))).toHaveLength(0);
  });
});

/** The incidents above through a sink of `destination` started with `input: incidents`: every revision arrives once, none is dead-lettered. */
async function incidentsThrough(destination: TestDestination, sinkName: string): Promise<void> {
  const bed = await sinkTestbed((id) => [destination.config(id, { input: 'incidents' })]);
  await writeIncidents(bed);
  const running = await startStage(bed.topology, sinkName);
  try {
    await until(`every revision at ${destination.name}`, async () =>
      (await destination.receivedIds()).length >= incidents.length ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 1_500)); // anything duplicated arrives before counting
    expect(await readAll(bed.kafka, bed.names.dlq(sinkName))).toHaveLength(0);
    const ids = await destination.receivedIds();
    expect([...countBy(ids).values()].every((n) => n === 1)).toBe(true);
    expect(ids.sort()).toEqual(incidents.map((i) => i.EventId).sort());
  } finally {
    await running.stop();
  }
}

describe('incidents to the other destinations', () => {
  it('a Splunk HEC sink with input: incidents delivers every revision once, with the incident fields, acknowledged', async () => {
    const destination = await splunkDestination();
    try {
      await incidentsThrough(destination, 'splunk');
      const closed = destination
        .emulator()
        .events()
        .find((e) => (e.event.event as { EventId: string }).EventId === incidents[3]?.EventId);
      expect(closed?.event).toMatchObject({ index: 'siem' });
      expect(closed?.event.event).toMatchObject({
        IncidentId: incidentId('SrcIpAddr:10.0.0.1', 'tpl', T0),
        Revision: 4,
        Status: 'closed',
        Count: 7,
        EntityKey: 'SrcIpAddr:10.0.0.1',
        TopFeatures: [{ Name: 'distinct_ports', Value: 40, Deviation: 7 }],
      });
    } finally {
      await destination.stop();
    }
  });

  it('a CloudWatch Logs sink with input: incidents delivers every revision once (moto)', async () => {
    const destination = await cloudwatchDestination();
    try {
      await incidentsThrough(destination, 'cloudwatch');
      const client = cloudwatchClient(destination.endpoints());
      const stored = await storedLogEvents(client, '/siem-conformance/');
      client.destroy();
      const closed = stored.find((e) => eventIdOfMessage(e.message) === incidents[3]?.EventId);
      expect(closed?.group).toMatch(/\/NetworkSession$/); // the group template's {EventSchema}, from the incident
      expect(JSON.parse(closed?.message ?? '{}')).toMatchObject({
        Revision: 4,
        Status: 'closed',
        Count: 7,
        EntityKey: 'SrcIpAddr:10.0.0.1',
      });
    } finally {
      await destination.stop();
    }
  });
});
