import { loadSchema } from '../../schemas/catalog.js';
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

/**
 * ARM templates for the data collection rule (one stream declaration per sink stream, each
 * flowing into its custom table) and for the tables, from the same column list the schema guard
 * and the emulator use (generated from schemas/).
 */
export function azureTemplates(config: Pick<SentinelSinkConfig, 'streams' | 'columns'>): AzureTemplates {
  const docs = new Map(loadSchema('enriched').fields.map((f) => [f.name, f.doc]));
  const streams = [...new Set(Object.values(config.streams))].sort();
  const columnsOf = (stream: string) => config.columns[stream] ?? dcrColumns('enriched');
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
            ...(docs.get(name) ? { description: docs.get(name) } : {}),
          })),
        },
      },
    })),
  };
  return { dcr, tables };
}
