import type { NormalizedEvent } from '../src/schemas/events.js';
import { AnomalyModel } from '../src/stages/enricher/anomaly-model.js';
import { enricherSchema } from '../src/stages/enricher/config.js';
import { featureVector } from '../src/stages/enricher/features.js';
import { flagAndTrack } from '../src/stages/enricher/flag-and-track.js';
import { type Observation, PartitionStore } from '../src/stages/enricher/partition-store.js';
import { labelledTraffic } from '../src/stages/enricher/training/labelled-traffic.js';

/**
 * Child process of bench/enricher.ts: holds `entities` distinct entities in enricher state over
 * `partitions` partition stores (each event scored, flagged and tracked for incidents as the stage
 * does, changes taken as for the changelog) and prints
 * its peak RSS as JSON. With entities = 0 it measures the same process doing nothing: the baseline.
 */
const entities = Number(process.argv[2] ?? 100_000);
const partitions = 3;
const config = enricherSchema.parse({ maxEntitiesPerPartition: Math.ceil(entities / partitions) + 1 });
const stores = Array.from({ length: partitions }, () => new PartitionStore(config));
const model = await AnomalyModel.load('models/isolation-forest.onnx');
const template = labelledTraffic({ seed: 5, hosts: 1, users: 1, durationMs: 60_000, incidentsPerKind: 0 })[0]?.event;
if (!template) throw new Error('no template event');
const start = Date.UTC(2026, 10, 1);
let pending: Array<{ store: PartitionStore; event: NormalizedEvent; o: Observation }> = [];
for (let round = 0; round < 3; round++) {
  for (let i = 0; i < entities; i++) {
    const event = {
      ...template,
      EntityKey: `SrcIpAddr:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      TimeGenerated: start + round * 20_000 + Math.floor((i / entities) * 20_000),
      DstIpAddr: `172.16.0.${(i + round) % 50}`,
      DstPortNumber: 443 + round,
      SrcBytes: 1_000 + ((i * 7919) % 50_000),
    };
    const store = stores[i % partitions] as PartitionStore;
    pending.push({ store, event, o: store.observe(event) });
    if (pending.length === 500) {
      const scores = await model.score(pending.map((p) => featureVector(p.o.features)));
      for (const [j, p] of pending.entries()) flagAndTrack(p.store, p.event, p.o, scores[j]?.score ?? 0, model);
      pending = [];
      for (const s of stores) s.takeChanges();
    }
  }
}
const held = stores.reduce((n, s) => n + s.entityCount, 0);
process.stdout.write(`${JSON.stringify({ entities: held, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
