import { writeFileSync } from 'node:fs';
import { featureRows, toCsv } from './feature-rows.js';
import { labelledTraffic } from './labelled-traffic.js';

/**
 * `node dist/stages/enricher/training/write-training-set.js <out.csv>`: the feature vectors
 * models/train.py learns from — normal traffic only, from a fixed seed, through the enricher's feature code.
 */
export const TRAINING_TRAFFIC = { seed: 20_261_101, hosts: 300, users: 150, durationMs: 3_600_000, incidentsPerKind: 0 } as const;

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: write-training-set.js <out.csv>\n');
  process.exit(2);
}
const rows = featureRows(labelledTraffic(TRAINING_TRAFFIC));
writeFileSync(out, toCsv(rows));
process.stderr.write(`${rows.length} training rows → ${out}\n`);
