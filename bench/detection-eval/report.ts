import { mkdirSync, writeFileSync } from 'node:fs';
import { ATTACK_KINDS } from './corpus-types.js';
import type { OrderResult } from './run-order.js';

export interface EvalResult {
  startedAt: string;
  settings: {
    records: number;
    seed: number;
    baseRate: number;
    hours: number;
    hosts: number;
    users: number;
    liveSeconds: number;
    orders: string[];
  };
  corpus: { objects: number; labelled: number; incidents: Record<string, number> };
  machine: Record<string, unknown>;
  orders: OrderResult[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const f2 = (x: number) => x.toFixed(2);

/** One block per delivery order: per attack kind, then the overall figures. */
export function formatEvalTable(r: EvalResult): string {
  const lines: string[] = [];
  for (const o of r.orders) {
    const f = o.figures;
    lines.push(
      `\n${o.order} order — ${f.events.toLocaleString('en-US')} events, ${f.labelled} labelled, ${o.objects} objects, ${Math.round(o.seconds)} s`,
      'kind              incidents  incident recall  events  event recall  event precision  share of flagged  log types',
    );
    for (const kind of ATTACK_KINDS) {
      const k = f.perKind[kind];
      lines.push(
        `${kind.padEnd(17)} ${`${k.incidentsDetected}/${k.incidents}`.padStart(9)}  ${f2(k.incidentRecall).padStart(15)}  ${`${k.eventsFlagged}/${k.events}`.padStart(6)}  ${f2(k.eventRecall).padStart(12)}  ${f2(k.eventPrecision).padStart(15)}  ${f2(k.shareOfFlagged).padStart(16)}  ${k.logTypes.join(',')}`,
      );
    }
    lines.push(
      `overall: precision ${f2(f.precision)}, recall ${f2(f.recall)}, flagged ${f.flagged.toLocaleString('en-US')} (${pct(f.flagRate)}; ${Object.entries(
        f.flagRateByLogType,
      )
        .map(([t, x]) => `${t} ${pct(x)}`)
        .join(', ')})`,
      `by the entity's events in its window: ${Object.entries(f.byWindowCount)
        .map(([b, x]) => `${b}: ${pct(x.share)} of events, ${pct(x.flagRate)} flagged`)
        .join('; ')}`,
      `LateEvent: ${pct(f.late.share)} of events (${f.late.marked.toLocaleString('en-US')}); truly after their source's grace: ${f.late.trulyLate}, of which marked ${f.late.markedAndTrulyLate}`,
      `enricher peak RSS ${o.enricherPeakRssMiB} MiB; dead-lettered: parser ${o.deadLettered.parser}, enricher ${o.deadLettered.enricher}; labelled records missing ${f.missingLabelled}, duplicates ${f.duplicates}`,
    );
  }
  return lines.join('\n');
}

/** bench/results/detection-eval-<start time>.json */
export function writeEvalResult(result: EvalResult): string {
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/detection-eval-${result.startedAt.slice(0, 19).replaceAll(':', '')}Z.json`;
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
