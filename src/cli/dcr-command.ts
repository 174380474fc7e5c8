import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadTopology } from '../config/load.js';
import { azureTemplates } from '../sinks/sentinel/dcr-template.js';

/** `siem-stream dcr generate`: the DCR and custom tables (ARM JSON) for each Sentinel sink of a topology. */
export function registerDcrCommand(program: Command): void {
  program
    .command('dcr')
    .description('Azure data collection rule tooling')
    .command('generate')
    .description(
      'write the data collection rule and custom table ARM templates for the Sentinel sinks (one pair per DCR they send to), from schemas/',
    )
    .option('--topology <file>', 'topology whose Sentinel sinks name the streams', 'topologies/default.yaml')
    .option('--out <dir>', 'output folder', 'deploy/azure')
    .action((o: { topology: string; out: string }) => {
      const topology = loadTopology(o.topology);
      const sinks = topology.sinks.filter((s) => s.type === 'sentinel');
      if (sinks.length === 0) throw new Error(`${o.topology} has no sink of type sentinel`);
      mkdirSync(o.out, { recursive: true });
      // sinks that share a DCR (events and incidents) share its template
      const byDcr = new Map<string, typeof sinks>();
      for (const s of sinks) byDcr.set(s.dcrImmutableId, [...(byDcr.get(s.dcrImmutableId) ?? []), s]);
      for (const group of byDcr.values()) {
        const { dcr, tables } = azureTemplates(group);
        const prefix = byDcr.size === 1 ? '' : `${group[0]?.name}.`;
        for (const [name, template] of [
          [`${prefix}dcr.json`, dcr],
          [`${prefix}tables.json`, tables],
        ] as const) {
          writeFileSync(join(o.out, name), `${JSON.stringify(template, null, 2)}\n`);
          process.stdout.write(`wrote ${join(o.out, name)}\n`);
        }
      }
    });
}
