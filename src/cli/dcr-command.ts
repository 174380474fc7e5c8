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
    .description('write the data collection rule and custom table ARM templates for the Sentinel sinks, from schemas/')
    .option('--topology <file>', 'topology whose Sentinel sinks name the streams', 'topologies/default.yaml')
    .option('--out <dir>', 'output folder', 'deploy/azure')
    .action((o: { topology: string; out: string }) => {
      const topology = loadTopology(o.topology);
      const sinks = topology.sinks.filter((s) => s.type === 'sentinel');
      if (sinks.length === 0) throw new Error(`${o.topology} has no sink of type sentinel`);
      mkdirSync(o.out, { recursive: true });
      for (const sink of sinks) {
        const { dcr, tables } = azureTemplates(sink);
        const prefix = sinks.length === 1 ? '' : `${sink.name}.`;
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
