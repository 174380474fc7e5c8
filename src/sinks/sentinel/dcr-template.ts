import { loadSchema, type SchemaName } from '../../schemas/catalog.js';
import { sinkInputSchema } from '../sink-input.js';
import { type DcrColumn, dcrColumns } from './columns.js';
import type { SentinelSinkConfig } from './config.js';
import { isReservedColumn } from './schema-guard.js';

/** Table column types are spelled like DCR ones except dateTime. */
const TABLE_TYPE: Record<DcrColumn['type'], string> = {
  string: 'string',
  int: 'int',
  long: 'long',
  real: 'real',
  boolean: 'boolean',
  datetime: 'dateTime',
  dynamic: 'dynamic',
};

export interface AzureTemplates {
  dcr: Record<string, unknown>;
  tables: Record<string, unknown>;
}

/** `Custom-SiemNetworkSession` → `SiemNetworkSession_CL` (the custom table the stream lands in). */
export function tableOf(stream: string): string {
  return `${stream.replace(/^Custom-/, '')}_CL`;
}

type DcrSink = Pick<SentinelSinkConfig, 'name' | 'streams' | 'columns' | 'input'>;

/**
 * ARM templates for one data collection rule — the streams of every Sentinel sink that sends to
 * it (events and incidents), each flowing into its custom table — and for the tables, from the
 * same column lists the schema guard and the emulator use (generated from schemas/).
 */
export function azureTemplates(sinks: readonly DcrSink[]): AzureTemplates {
  const schemaOf = new Map<string, { schema: SchemaName; sink: DcrSink }>();
  for (const sink of sinks) {
    for (const stream of Object.values(sink.streams)) {
      const schema = sinkInputSchema(sink.input);
      const known = schemaOf.get(stream);
      if (known && known.schema !== schema)
        throw new Error(`${stream}: sink ${known.sink.name} sends ${known.schema} rows to it and sink ${sink.name} ${schema} rows`);
      schemaOf.set(stream, { schema, sink });
    }
  }
  const docsOf = new Map(
    [...new Set([...schemaOf.values()].map((v) => v.schema))].map((s) => [s, new Map(loadSchema(s).fields.map((f) => [f.name, f.doc]))]),
  );
  const streams = [...schemaOf.keys()].sort();
  const columnsOf = (stream: string) => {
    const { schema, sink } = schemaOf.get(stream) as { schema: SchemaName; sink: DcrSink };
    return sink.columns[stream] ?? dcrColumns(schema);
  };
  const docOf = (stream: string, column: string) => docsOf.get((schemaOf.get(stream) as { schema: SchemaName }).schema)?.get(column);
  for (const stream of streams) {
    const reserved = columnsOf(stream).filter((c) => isReservedColumn(c.name));
    if (reserved.length > 0) throw new Error(`${stream}: reserved column name(s) ${reserved.map((c) => c.name).join(', ')}`);
    if (!columnsOf(stream).some((c) => c.name === 'TimeGenerated' && c.type === 'datetime')) {
      throw new Error(`${stream}: a custom table needs a TimeGenerated datetime column`);
    }
  }
  const dcr = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      dataCollectionRuleName: { type: 'string', defaultValue: 'siem-stream-dcr' },
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      dataCollectionEndpointResourceId: { type: 'string' },
      workspaceResourceId: { type: 'string' },
    },
    resources: [
      {
        type: 'Microsoft.Insights/dataCollectionRules',
        apiVersion: '2023-03-11',
        name: "[parameters('dataCollectionRuleName')]",
        location: "[parameters('location')]",
        properties: {
          dataCollectionEndpointId: "[parameters('dataCollectionEndpointResourceId')]",
          streamDeclarations: Object.fromEntries(
            streams.map((s) => [s, { columns: columnsOf(s).map(({ name, type }) => ({ name, type })) }]),
          ),
          destinations: { logAnalytics: [{ name: 'workspace', workspaceResourceId: "[parameters('workspaceResourceId')]" }] },
          dataFlows: streams.map((s) => ({
            streams: [s],
            destinations: ['workspace'],
            transformKql: 'source',
            outputStream: `Custom-${tableOf(s)}`,
          })),
        },
      },
    ],
    outputs: {
      immutableId: { type: 'string', value: "[reference(parameters('dataCollectionRuleName')).immutableId]" },
    },
  };
  const tables = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      workspaceName: { type: 'string' },
      retentionInDays: { type: 'int', defaultValue: 90 },
    },
    resources: streams.map((s) => ({
      type: 'Microsoft.OperationalInsights/workspaces/tables',
      apiVersion: '2022-10-01',
      name: `[concat(parameters('workspaceName'), '/${tableOf(s)}')]`,
      properties: {
        retentionInDays: "[parameters('retentionInDays')]",
        schema: {
          name: tableOf(s),
          columns: columnsOf(s).map(({ name, type }) => ({
            name,
            type: TABLE_TYPE[type],
            ...(docOf(s, name) ? { description: docOf(s, name) } : {}),
          })),
        },
      },
    })),
  };
  return { dcr, tables };
}
