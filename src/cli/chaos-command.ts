import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { FAULT_KINDS, parseFaultKinds } from '../dev/chaos/fault-plan.js';
import { sendLogsToFile } from '../observability/logger.js';
import { createProgress } from './progress.js';

interface ChaosFlags {
  records: number;
  recordsPerObject: number;
  malformedEvery: number;
  rate: number;
  faults: string;
  kills: number;
  each: number;
  instances: number;
  seed: number;
  home: string;
  portBase: number;
  keepStack: boolean;
  drainTimeout: number;
  report?: string;
  json?: string;
}

/** `siem-stream chaos`: the whole pipeline under injected faults, then every record counted (docs/reliability.md). */
export function registerChaosCommand(program: Command, integer: (v: string) => number): void {
  program
    .command('chaos')
    .description('run the whole topology on a 3-broker local stack while injecting faults, then count every record')
    .option('--records <n>', 'records in the generated corpus', integer, 100_000)
    .option('--records-per-object <n>', 'records per S3 object', integer, 5_000)
    .option('--malformed-every <n>', 'every n-th record is malformed (parser DLQ)', integer, 97)
    .option('--rate <n>', 'records per second written to S3 while faults happen', integer, 1_500)
    .option('--faults <list>', `"all" or a comma list of: ${FAULT_KINDS.join(', ')}`, 'all')
    .option('--kills <n>', 'SIGKILLs per stage', integer, 20)
    .option('--each <n>', 'how many of every other fault kind (per stage for term, zombie, rebalance-storm)', integer, 2)
    .option('--instances <n>', 'processes per stage', integer, 2)
    .option('--seed <n>', 'seed of the corpus and the fault schedule', integer, 7)
    .option('--home <dir>', 'the chaos stack home', '.stack-chaos')
    .option(
      '--port-base <port>',
      'first of the chaos stack ports (uses base … base+443; keep them below the ephemeral range, 32768 on Linux)',
      integer,
      32_000,
    )
    .option('--keep-stack', 'leave the chaos stack running afterwards', false)
    .option('--drain-timeout <ms>', 'how long to wait for the pipeline to drain after the faults', integer, 1_200_000)
    .option('--report <file>', 'also write the report table (markdown) to this file')
    .option('--json <file>', 'also write the full report as JSON')
    .action(async (o: ChaosFlags) => {
      // loaded here, not at CLI start: stage processes share this entry point
      const { runChaos } = await import('../dev/chaos/run-chaos.js');
      const { formatReport } = await import('../dev/chaos/report.js');
      const progress = createProgress();
      process.on('exit', (code) => code !== 0 && process.stderr.write(`chaos harness exiting with code ${code}\n`));
      const logFile = `${o.home}/logs/chaos-harness.log`;
      sendLogsToFile(logFile);
      const report = await runChaos({
        records: o.records,
        recordsPerObject: o.recordsPerObject,
        malformedEvery: o.malformedEvery,
        rate: o.rate,
        faults: parseFaultKinds(o.faults),
        killsPerStage: o.kills,
        eachOther: o.each,
        instancesPerStage: o.instances,
        seed: o.seed,
        home: o.home,
        portBase: o.portBase,
        keepStack: o.keepStack,
        drainTimeoutMs: o.drainTimeout,
        progress: (m) => progress.note(m),
      });
      progress.done();
      const table = formatReport(report);
      process.stdout.write(table);
      for (const [file, text] of [
        [o.report, table],
        [o.json, JSON.stringify(report, null, 2)],
      ] as const) {
        if (!file) continue;
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
      if (!report.verdict.ok) process.exitCode = 1;
    });
}
