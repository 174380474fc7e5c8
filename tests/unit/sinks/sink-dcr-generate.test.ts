import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/config/load.js';
import { loadSchema } from '../../../src/schemas/catalog.js';
import { dcrColumns } from '../../../src/sinks/sentinel/columns.js';
import { azureTemplates, tableOf } from '../../../src/sinks/sentinel/dcr-template.js';
import { checkRow, columnMap } from '../../../src/sinks/sentinel/schema-guard.js';

describe('dcr generate and the schema guard share one column source', () => {
  const topology = loadTopology('topologies/default.yaml', { env: {} });
  const sink = topology.sinks.find((s) => s.type === 'sentinel');
  if (sink?.type !== 'sentinel') throw new Error('the default topology has a sentinel sink');

  it('declares every stream of the sink with the columns generated from schemas/, and a data flow into its table', () => {
    const { dcr, tables } = azureTemplates(sink);
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

  it('deploy/azure holds what `siem-stream dcr generate` writes for the default topology (no drift)', () => {
    const { dcr, tables } = azureTemplates(sink);
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
      azureTemplates({
        streams: { '*': 'Custom-X' },
        columns: {
          'Custom-X': [
            { name: 'TimeGenerated', type: 'datetime' },
            { name: 'Type', type: 'string' },
          ],
        },
      }),
    ).toThrow(/reserved column name/);
  });
});
