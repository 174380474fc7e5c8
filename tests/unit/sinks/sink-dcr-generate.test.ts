import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/config/load.js';
import { loadSchema } from '../../../src/schemas/catalog.js';
import { dcrColumns } from '../../../src/sinks/sentinel/columns.js';
import { azureTemplates, tableOf } from '../../../src/sinks/sentinel/dcr-template.js';
import { checkRow, columnMap } from '../../../src/sinks/sentinel/schema-guard.js';

describe('dcr generate and the schema guard share one column source', () => {
  const topology = loadTopology('topologies/default.yaml', { env: {} });
  const sinks = topology.sinks.flatMap((s) => (s.type === 'sentinel' ? [s] : []));
  const sink = sinks.find((s) => s.input === 'enriched');
  if (!sink) throw new Error('the default topology has a sentinel sink of events');

  it('declares every stream of the sink with the columns generated from schemas/, and a data flow into its table', () => {
    const { dcr, tables } = azureTemplates([sink]);
    const rule = (
      dcr.resources as Array<{
        properties: { streamDeclarations: Record<string, { columns: Array<{ name: string }> }>; dataFlows: unknown[] };
      }>
    )[0]?.properties;
    const streams = [...new Set(Object.values(sink.streams))].sort();
    expect(Object.keys(rule?.streamDeclarations ?? {})).toEqual(streams);
    const fields = loadSchema('enriched').fields.map((f) => f.name);
    for (const s of streams) expect(rule?.streamDeclarations[s]?.columns.map((c) => c.name)).toEqual(fields);
    expect(rule?.dataFlows).toContainEqual({
      streams: ['Custom-SiemEvent'],
      destinations: ['workspace'],
      transformKql: 'source',
      outputStream: 'Custom-SiemEvent_CL',
    });
    const tableColumns = (
      tables.resources as Array<{ properties: { schema: { name: string; columns: Array<{ name: string; type: string }> } } }>
    ).map((t) => t.properties.schema);
    expect(tableColumns.map((t) => t.name)).toEqual(streams.map(tableOf));
    expect(tableColumns[0]?.columns.find((c) => c.name === 'TimeGenerated')?.type).toBe('dateTime');
  });

  it('declares the incidents stream with the incident columns, into SiemIncident_CL, in the same DCR as the events', () => {
    expect(sinks.map((s) => [s.name, s.input, s.dcrImmutableId])).toEqual([
      ['sentinel', 'enriched', 'dcr-siem-local'],
      ['sentinel-incidents', 'incidents', 'dcr-siem-local'],
    ]);
    const { dcr, tables } = azureTemplates(sinks);
    const rule = (dcr.resources as Array<{ properties: { streamDeclarations: Record<string, { columns: Array<{ name: string }> }> } }>)[0]
      ?.properties;
    expect(rule?.streamDeclarations['Custom-SiemIncident']?.columns.map((c) => c.name)).toEqual(
      loadSchema('incident').fields.map((f) => f.name),
    );
    expect(rule?.streamDeclarations['Custom-SiemEvent']?.columns.map((c) => c.name)).toEqual(
      loadSchema('enriched').fields.map((f) => f.name),
    );
    const table = (tables.resources as Array<{ properties: { schema: { name: string; columns: Array<{ name: string; type: string }> } } }>)
      .map((t) => t.properties.schema)
      .find((t) => t.name === 'SiemIncident_CL');
    expect(table?.columns.find((c) => c.name === 'ExampleEventIds')?.type).toBe('dynamic');
    expect(table?.columns.find((c) => c.name === 'FirstSeen')?.type).toBe('dateTime');
    expect(() => azureTemplates([sink, { ...sink, name: 'other', input: 'incidents' }])).toThrow(
      /sends enriched rows to it and sink other incident rows/,
    );
  });

  it('deploy/azure holds what `siem-stream dcr generate` writes for the default topology (no drift)', () => {
    const { dcr, tables } = azureTemplates(sinks);
    expect(JSON.parse(readFileSync('deploy/azure/dcr.json', 'utf8'))).toEqual(dcr);
    expect(JSON.parse(readFileSync('deploy/azure/tables.json', 'utf8'))).toEqual(tables);
  });

  it('the guard finds undeclared columns, wrong types, fields over 64 KB and reserved names', () => {
    const columns = columnMap(dcrColumns('enriched'));
    const findings = checkRow(
      {
        TimeGenerated: 'not a date',
        SrcPortNumber: '443',
        EventOriginalUid: 'x'.repeat(65_537),
        ThreatScore: 1,
        _ResourceId: 'r',
        TenantId: 't',
      },
      columns,
    );
    expect(findings.map((f) => `${f.column}:${f.problem}`).sort()).toEqual(
      [
        'EventOriginalUid:too-large',
        'SrcPortNumber:type',
        'TenantId:reserved',
        'ThreatScore:undeclared',
        'TimeGenerated:type',
        '_ResourceId:reserved',
      ].sort(),
    );
  });

  it('refuses to generate a table with a reserved column name', () => {
    expect(() =>
      azureTemplates([
        {
          name: 'x',
          input: 'enriched',
          streams: { '*': 'Custom-X' },
          columns: {
            'Custom-X': [
              { name: 'TimeGenerated', type: 'datetime' },
              { name: 'Type', type: 'string' },
            ],
          },
        },
      ]),
    ).toThrow(/reserved column name/);
  });
});
