import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateCorpus, objectBody } from '../../../bench/detection-eval/corpus.js';
import { ATTACK_KINDS, type CorpusObject, recordId } from '../../../bench/detection-eval/corpus-types.js';
import { deliveryOrder, SOURCE_GRACE_MS, trulyLate } from '../../../bench/detection-eval/delivery.js';
import { EVAL_ROUTES } from '../../../bench/detection-eval/eval-topology.js';
import { loadTopology } from '../../../src/config/load.js';
import { parseFormat } from '../../../src/stages/parser/formats/index.js';
import { compileRouter, type KeyRoute } from '../../../src/stages/s3-source/key-routes.js';
import { readRecords } from '../../../src/stages/s3-source/record-reader.js';

const START = Date.UTC(2026, 11, 7, 4, 0, 0);
const HOUR = 3_600_000;
/** generating tens of thousands of records takes seconds on a busy machine */
const SLOW = 180_000;
const small = (seed: number, baseRate = 0.005, records = 6_000) =>
  generateCorpus({ seed, records, baseRate, start: START, durationMs: 2 * HOUR });

describe('the detection evaluation corpus', { timeout: SLOW }, () => {
  it('is the same for a seed and differs between seeds', () => {
    const a = small(3);
    const b = small(3);
    const c = small(4);
    expect(a.objects.map((o) => o.key)).toEqual(b.objects.map((o) => o.key));
    expect(a.objects.map((o) => objectBody(o).length)).toEqual(b.objects.map((o) => objectBody(o).length));
    expect([...a.labels]).toEqual([...b.labels]);
    expect(c.objects.map((o) => o.key)).not.toEqual(a.objects.map((o) => o.key));
  });

  it.each([0.001, 0.005, 0.01])(
    'labels about %s of 60,000 records, every attack kind in several incidents where the budget allows',
    (rate) => {
      const corpus = generateCorpus({ seed: 21, records: 60_000, baseRate: rate, start: START, durationMs: 3 * HOUR });
      expect(corpus.records).toBe(60_000);
      expect(corpus.labels.size / corpus.records).toBeGreaterThan(rate * 0.85);
      expect(corpus.labels.size / corpus.records).toBeLessThan(rate * 1.2);
      for (const kind of ATTACK_KINDS) {
        const incidents = new Set([...corpus.labels.values()].filter((l) => l.kind === kind).map((l) => l.incident));
        expect(incidents.size, kind).toBeGreaterThanOrEqual(rate >= 0.005 ? 3 : 1);
      }
    },
    SLOW,
  );

  it(
    'varies the intensity of one kind by several times between incidents',
    () => {
      const corpus = generateCorpus({ seed: 5, records: 60_000, baseRate: 0.01, start: START, durationMs: 3 * HOUR });
      const sizes = new Map<string, number>();
      for (const l of corpus.labels.values()) if (l.kind === 'port-scan') sizes.set(l.incident, (sizes.get(l.incident) ?? 0) + 1);
      expect(Math.max(...sizes.values()) / Math.min(...sizes.values())).toBeGreaterThan(2);
    },
    SLOW,
  );

  it(
    'writes objects every parser format module reads, with the labels at the positions the s3-source numbers',
    async () => {
      const corpus = small(7, 0.01, 20_000);
      const topology = loadTopology('topologies/default.yaml', { env: {} });
      const route = compileRouter(EVAL_ROUTES as KeyRoute[]);
      const kindsSeen = new Set<string>();
      for (const object of corpus.objects) {
        const routed = route(object.key);
        expect(routed?.logType, object.key).toBe(object.logType);
        const config = topology.logTypes[object.logType];
        if (!config) throw new Error(`the default topology has no log type ${object.logType}`);
        const layouts = new Map<string, string[]>();
        let n = 0;
        for await (const item of readRecords(Readable.from([objectBody(object)]), routed?.framing ?? 'lines', {
          maxRecordBytes: 1 << 20,
          headBytes: 0,
        })) {
          if (item.kind !== 'record') throw new Error(`record ${n} of ${object.key} is oversized`);
          const context = { headers: {}, receivedAt: START + 3 * HOUR, objectId: object.key, layouts };
          const result = parseFormat(item.value, config, context);
          const i = n - object.headerLines.length;
          if (i < 0) expect(result.kind).toBe('header');
          else {
            const record = object.records[i];
            if (!record) throw new Error(`${object.key} has more records than generated`);
            if (result.kind !== 'event') throw new Error(`record ${n} of ${object.key} is not an event`);
            // CloudTrail and VPC Flow Logs keep seconds, syslog's header too; CEF's rt keeps milliseconds
            expect(Math.abs(result.fields.TimeGenerated - record.time), `${object.key}#${n}`).toBeLessThan(1_000);
            expect(corpus.labels.get(recordId(object.key, n))).toEqual(record.label);
            if (record.label) kindsSeen.add(`${record.label.kind}/${object.logType}`);
            if (object.logType === 'cloudtrail')
              expect(result.fields.EventOriginalUid).toBe((JSON.parse(record.text) as { eventID: string }).eventID);
          }
          n++;
        }
        expect(n).toBe(object.headerLines.length + object.records.length);
      }
      expect([...kindsSeen].sort()).toEqual([
        'brute-force/cloudtrail',
        'brute-force/syslog',
        'exfiltration/vpcflow',
        'port-scan/cef',
        'port-scan/vpcflow',
        'rare-destructive/cloudtrail',
      ]);
    },
    SLOW,
  );

  it('lays objects out as AWS and a Firehose stream write them', () => {
    const corpus = small(8);
    const keys = corpus.objects.map((o) => o.key);
    expect(
      keys.some((k) =>
        /^AWSLogs\/\d{12}\/CloudTrail\/[a-z]+-[a-z]+-\d\/\d{4}\/\d{2}\/\d{2}\/\d{12}_CloudTrail_[a-z0-9-]+_\d{8}T\d{4}Z_[0-9A-F]{16}\.json\.gz$/.test(
          k,
        ),
      ),
    ).toBe(true);
    expect(
      keys.some((k) =>
        /^AWSLogs\/\d{12}\/vpcflowlogs\/[a-z0-9-]+\/\d{4}\/\d{2}\/\d{2}\/\d{12}_vpcflowlogs_[a-z0-9-]+_fl-[0-9a-f]{17}_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$/.test(
          k,
        ),
      ),
    ).toBe(true);
    const cloudTrail = corpus.objects.find((o) => o.logType === 'cloudtrail') as CorpusObject;
    const sizes = cloudTrail.records.map((r) => Buffer.byteLength(r.text));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3_072);
    expect(JSON.parse(gunzipSync(objectBody(cloudTrail)).toString()).Records).toHaveLength(cloudTrail.records.length);
  });

  it('gives a few entities most of the activity (Zipf) and bytes a long tail (log-normal)', () => {
    const corpus = small(9, 0.005, 20_000);
    const perSource = new Map<string, number>();
    const bytes: number[] = [];
    for (const o of corpus.objects.filter((x) => x.logType === 'vpcflow')) {
      for (const r of o.records) {
        const f = r.text.split(' ');
        if (f[13] !== 'OK' || r.label) continue;
        perSource.set(f[3] as string, (perSource.get(f[3] as string) ?? 0) + 1);
        bytes.push(Number(f[9]));
      }
    }
    const counts = [...perSource.values()].sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(counts.length / 10)).reduce((a, b) => a + b, 0);
    expect(top / counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.4);
    bytes.sort((a, b) => a - b);
    expect((bytes[Math.floor(bytes.length * 0.99)] as number) / (bytes[Math.floor(bytes.length / 2)] as number)).toBeGreaterThan(20);
  });

  it('delivers live by delivery time, CloudTrail after VPC Flow, and only held-back objects truly late; a backfill is every object once', () => {
    const corpus = small(10);
    const live = deliveryOrder(corpus.objects, 'live', 10);
    expect(live.map((o) => o.writtenAt)).toEqual([...live.map((o) => o.writtenAt)].sort((a, b) => a - b));
    const lag = (type: string) => {
      const lags = corpus.objects.filter((o) => o.logType === type).map((o) => o.deliveredAt - Math.max(...o.records.map((r) => r.time)));
      return lags.reduce((a, b) => a + b, 0) / lags.length;
    };
    expect(lag('cloudtrail') - lag('vpcflow')).toBeGreaterThan(5 * 60_000);
    const late = trulyLate(live, 'live');
    const heldBack = new Set(live.filter((o) => o.writtenAt !== o.deliveredAt).map((o) => o.key));
    expect(heldBack.size).toBeGreaterThan(0);
    for (const id of late) expect(heldBack.has(id.slice(0, id.lastIndexOf('#'))), id).toBe(true);
    expect(late.size).toBeGreaterThan(0);
    // without held-back objects nothing is late: every writer's jitter is within its grace
    const onTime = corpus.objects.map((o) => ({ ...o, writtenAt: o.deliveredAt })).sort((a, b) => a.writtenAt - b.writtenAt);
    expect(trulyLate(onTime, 'live').size).toBe(0);
    expect(SOURCE_GRACE_MS.cloudtrail).toBeGreaterThan(SOURCE_GRACE_MS.vpcflow);
    const backfill = deliveryOrder(corpus.objects, 'backfill', 10);
    expect(backfill.map((o) => o.key).sort()).toEqual(corpus.objects.map((o) => o.key).sort());
    expect(backfill.map((o) => o.key)).not.toEqual(live.map((o) => o.key));
    expect(trulyLate(backfill, 'backfill').size).toBe(0);
  });
});
