import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { readAll } from '../../src/kafka/read-topic.js';
import { EventCodec } from '../../src/schemas/event-codec.js';
import type { EnrichedEvent, NormalizedEvent } from '../../src/schemas/events.js';
import { createRegistry } from '../../src/schemas/registry-client.js';
import { AnomalyModel } from '../../src/stages/enricher/anomaly-model.js';
import type { EnricherOutput } from '../../src/stages/enricher/enriched-fields.js';
import { labelledTraffic } from '../../src/stages/enricher/training/labelled-traffic.js';
import { runCli, topologyFile } from '../support/ops-cli.js';
import { produceNormalizedEvents } from '../support/produce-events.js';
import { spawnStage, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const MIN = 60_000;

/**
 * `siem-stream model train` on the pipeline's own enriched topic: it trains on the features the
 * running enricher computed (what that model called normal), installs the model at the topology's
 * model path, and the running enricher hot-reloads it and scores with it.
 */
describe('siem-stream model train', () => {
  it("trains on the enriched topic's features since a time, and the running enricher switches to the new model", async () => {
    const models = mkdtempSync(join(tmpdir(), 'siem-models-'));
    for (const ext of ['onnx', 'json']) copyFileSync(`models/isolation-forest.${ext}`, join(models, `isolation-forest.${ext}`));
    const modelPath = join(models, 'isolation-forest.onnx');
    const committed = JSON.parse(readFileSync('models/isolation-forest.json', 'utf8')) as { version: string };
    const topology = testTopology({ enricher: { model: { path: modelPath, watch: true } } });
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const registry = createRegistry(topology.schemaRegistry);
    const input = new EventCodec<NormalizedEvent>(registry, names.normalized, 'normalized');
    const output = new EventCodec<EnrichedEvent>(registry, names.enriched, 'enriched');

    const first = traffic(5, 'first', 0);
    await produceNormalizedEvents(kafka, input, first);
    const enricher = spawnStage(topology, 'enricher');
    try {
      await waitFor('the first events enriched', async () =>
        (await readAll(kafka, names.enriched)).length >= first.length ? true : undefined,
      );
      const enriched = await decodeAll(kafka, output, names.enriched);
      expect(enriched.every((e) => e.ModelVersion === committed.version)).toBe(true);
      const normal = enriched.filter((e) => !e.IsAnomaly).length;

      const file = topologyFile(topology);
      const tooFew = await runCli(['model', 'train', file, '--since', 'PT1H', '--min-rows', String(first.length * 10)]);
      expect(tooFew.code).toBe(1);
      expect(tooFew.stderr).toMatch(/MODEL_TRAINING_FAILED: only \d+ training rows/);
      expect(JSON.parse(readFileSync(join(models, 'isolation-forest.json'), 'utf8')).version).toBe(committed.version);

      const trained = await runCli(['model', 'train', file, '--since', 'PT1H', '--min-rows', '500']);
      expect(trained.code, trained.stderr).toBe(0);
      const metadata = JSON.parse(readFileSync(join(models, 'isolation-forest.json'), 'utf8'));
      expect(metadata.version).not.toBe(committed.version);
      expect(metadata.trainingRows).toBe(normal); // the features of every event the running model called normal
      expect(metadata.trainedFrom).toMatchObject({ topic: names.enriched, counts: { rows: normal, flagged: enriched.length - normal } });
      expect(readFileSync(join(models, 'isolation-forest.card.md'), 'utf8')).toContain(metadata.version);
      const loaded = await AnomalyModel.load(modelPath);
      await loaded.release();
      expect(trained.stdout).toContain(metadata.version);

      // the running enricher reloads it and scores what comes next with it
      await waitFor('the enricher to reload', async () =>
        readFileSync(enricher.logFile, 'utf8').includes(metadata.version) ? true : undefined,
      );
      const second = traffic(6, 'second', 40 * MIN);
      await produceNormalizedEvents(kafka, input, second);
      await waitFor('the second events enriched', async () =>
        (await readAll(kafka, names.enriched)).length >= first.length + second.length ? true : undefined,
      );
      const after = (await decodeAll(kafka, output, names.enriched)).filter((e) => e.EventId.startsWith('second-'));
      expect(after).toHaveLength(second.length);
      expect(new Set(after.map((e) => e.ModelVersion))).toEqual(new Set([metadata.version]));
      expect(readdirSync(models).filter((f) => f.startsWith('.training-'))).toEqual([]); // the staging directory is gone
    } finally {
      enricher.kill('SIGTERM');
    }
  });
});

function traffic(seed: number, prefix: string, offsetMs: number): NormalizedEvent[] {
  return labelledTraffic({ seed, hosts: 40, users: 20, durationMs: 20 * MIN, incidentsPerKind: 1 }).map((x, i) => ({
    ...x.event,
    TimeGenerated: x.event.TimeGenerated + offsetMs,
    EventId: `${prefix}-${i}`,
  }));
}

async function decodeAll(kafka: ReturnType<typeof createKafka>, codec: EventCodec<EnrichedEvent>, topic: string) {
  const records = await readAll(kafka, topic);
  return (await Promise.all(records.map((r) => codec.decode(r.message.value)))) as EnricherOutput[];
}
