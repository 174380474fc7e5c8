import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import { DLQ_HEADER } from '../../src/kafka/dlq.js';
import { readHeaders } from '../../src/kafka/headers.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { loadSchema } from '../../src/schemas/catalog.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import type { sinkSchema } from '../../src/sinks/config.js';
import { schemaGuardFindings } from '../../src/sinks/runtime/sink-metrics.js';
import { dcrColumns } from '../../src/sinks/sentinel/columns.js';
import { enrichedEvent, produceEvents, runSinkInProcess, sentinelConfig, sinkTestbed, startTestEmulator, until } from './sink-harness.js';

let emulator: LogsIngestionEmulator | undefined;
afterAll(async () => {
  await emulator?.stop();
});

describe('Sentinel schema guard', () => {
  it('reports an undeclared column and sends a wrong type and an oversized field to the DLQ instead of letting Azure drop them', async () => {
    emulator = await startTestEmulator(mkdtempSync(join(tmpdir(), 'siem-guard-')));
    const e = emulator;
    // the deployed DCR declares SrcBytes as int (32-bit), as an older rule might
    const declared = dcrColumns('enriched').map((c) => (c.name === 'SrcBytes' ? { ...c, type: 'int' as const } : c));
    const bed = await sinkTestbed((id) => [sentinelConfig(e, id, { columns: { 'Custom-SiemEvent': declared } })]);
    const config = bed.topology.sinks[0] as ReturnType<typeof sinkSchema.parse>;
    const fine = Array.from({ length: 20 }, (_, i) => enrichedEvent(i, { EventSchema: 'Other' }));
    const wrongType = enrichedEvent(100, { EventSchema: 'Other', SrcBytes: 5_000_000_000 });
    const oversized = enrichedEvent(101, { EventSchema: 'Other', EventOriginalUid: 'u'.repeat(70_000) });
    const ids = await produceEvents(bed.rd, bed.codec, [...fine, wrongType, oversized]);

    // a newer writer schema with a field the DCR does not declare (a BACKWARD-compatible addition)
    const evolvedSchema = loadSchema('enriched');
    evolvedSchema.fields.push({ name: 'ThreatScore', type: ['null', 'double'], default: null });
    const registry = createRegistry(bed.topology.schemaRegistry);
    const { id: evolvedId } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(evolvedSchema) },
      { subject: bed.codec.subject },
    );
    const undeclared = { ...enrichedEvent(102, { EventSchema: 'Other' }), ThreatScore: 0.93 };
    const producer = bed.rd.producer({ kafkaJS: { allowAutoTopicCreation: false } });
    await producer.connect();
    await producer.send({
      topic: bed.names.enriched,
      messages: [{ key: undeclared.EntityKey, value: await registry.encode(evolvedId, undeclared) }],
    });
    await producer.disconnect();

    const undeclaredBefore = await findings('undeclared');
    const sink = await runSinkInProcess(bed, config);
    const dlq = await until('two records in the sink DLQ', async () => {
      const records = await readAll(bed.kafka, bed.names.dlq(config.name));
      return records.length >= 2 ? records : undefined;
    });
    await until('the fine events and the one with the undeclared column accepted', () =>
      e.store.records().length >= fine.length + 1 ? true : undefined,
    );
    await sink.stop();

    const accepted = e.store.records();
    expect(accepted.map((r) => r.record.EventId).sort()).toEqual([...ids.slice(0, fine.length), undeclared.EventId].sort());
    // the emulator, like Azure, dropped the column; the guard had reported it first
    const withExtra = accepted.find((r) => r.record.EventId === undeclared.EventId);
    expect(withExtra?.droppedColumns).toEqual(['ThreatScore']);
    expect((await findings('undeclared')) - undeclaredBefore).toBe(1);

    const byCode = new Map(dlq.map((m) => [readHeaders(m.message.headers)[DLQ_HEADER.errorCode], m]));
    expect([...byCode.keys()].sort()).toEqual(['RECORD_TOO_LARGE', 'SCHEMA_MISMATCH']);
    const mismatch = readHeaders(byCode.get('SCHEMA_MISMATCH')?.message.headers);
    expect(mismatch[DLQ_HEADER.errorMessage]).toContain('"SrcBytes" is declared int');
    expect((await bed.codec.decode(byCode.get('SCHEMA_MISMATCH')?.message.value ?? null)).EventId).toBe(wrongType.EventId);
    const tooLarge = readHeaders(byCode.get('RECORD_TOO_LARGE')?.message.headers);
    expect(tooLarge[DLQ_HEADER.errorMessage]).toContain('"EventOriginalUid" is 70000 bytes');
    expect(tooLarge[DLQ_HEADER.stage]).toBe('sentinel');
  });
});

async function findings(problem: string): Promise<number> {
  const metric = await schemaGuardFindings.get();
  return metric.values.filter((v) => v.labels.problem === problem).reduce((n, v) => n + v.value, 0);
}
