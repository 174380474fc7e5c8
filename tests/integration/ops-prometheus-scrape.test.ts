import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { generateSampleObjects, uploadSampleObjects } from '../../src/dev/sample-logs.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { stageNames } from '../../src/runtime/stages.js';
import { createS3Client } from '../../src/stages/s3-source/s3-client.js';
import { loggedPort, spawnCli, topologyFile } from '../support/ops-cli.js';
import { exited, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';

const PROMETHEUS_PORT = 29090 + Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expr: string): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent(expr)}`).catch(() => undefined);
  if (!response) return []; // not listening yet
  const body = (await response.json()) as { status: string; data: { result: Sample[] } };
  return body.status === 'success' ? body.data.result : [];
}

/**
 * Debian's Prometheus (apt-get install prometheus) with deploy/prometheus/prometheus.yml and
 * alerts.yml as shipped — only the intervals shortened — scraping every stage of a running
 * pipeline and the lag exporter, each its own process.
 */
describe('a real Prometheus scrapes the stages', () => {
  const processes: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of processes) p.kill('SIGTERM');
    await Promise.all(processes.map((p) => exited(p)));
  });

  it('collects records, lag and readiness from every stage and evaluates the alert rules', async () => {
    await promisify(execFile)('prometheus', ['--version']).catch(() => {
      throw new Error('prometheus is not installed: apt-get install prometheus (Debian) provides it');
    });
    const topology = testTopology();
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const file = topologyFile(topology); // before the S3 client: the AWS SDK marks up the credentials object it is given
    const samples = generateSampleObjects({ objects: 3, recordsPerObject: 300, malformedEvery: 50 });
    await uploadSampleObjects(createS3Client(topology.source.s3), topology.source.s3.bucket, samples);
    const valid = samples.reduce((n, s) => n + s.valid, 0);

    const targets: Array<{ targets: string[]; labels: Record<string, string> }> = [];
    const started = [
      ...stageNames(topology).map((stage) => ({
        stage,
        child: spawnCli(['run', file, '--stage', stage, '--metrics-port', '0', '--lag-interval', '1000']),
      })),
      { stage: 'lag-exporter', child: spawnCli(['lag-exporter', file, '--port', '0', '--interval', '1000']) },
    ];
    for (const { stage, child } of started) {
      processes.push(child);
      const listening = async () => {
        if (child.exitCode !== null) throw new Error(`${stage} exited with ${child.exitCode}`);
        return loggedPort(child.logFile);
      };
      const port = await waitFor(`${stage} to listen`, listening, 60_000, 200).catch((error: Error) => {
        throw new Error(`${error.message}; its log:\n${readFileSync(child.logFile, 'utf8').slice(-3_000)}`);
      });
      targets.push({ targets: [`127.0.0.1:${port}`], labels: { instance_stage: stage } });
    }

    const dir = mkdtempSync(join(tmpdir(), 'siem-prometheus-'));
    mkdirSync(join(dir, 'targets'));
    copyFileSync('deploy/prometheus/alerts.yml', join(dir, 'alerts.yml'));
    const config = parse(readFileSync('deploy/prometheus/prometheus.yml', 'utf8')) as { global: Record<string, string> };
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    writeFileSync(join(dir, 'targets', 'siem-stream.json'), JSON.stringify(targets));
    const log = openSync(join(dir, 'prometheus.log'), 'a');
    const prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`,
      ],
      { stdio: ['ignore', log, log] },
    );
    processes.push(prometheus);
    prometheus.once('error', (error) =>
      process.stderr.write(`prometheus failed to start (apt-get install prometheus): ${error.message}\n`),
    );

    const up = await waitFor(
      'every target up',
      async () => {
        const rows = await query('up{job="siem-stream"}');
        return rows.length === targets.length && rows.every((r) => r.value[1] === '1') ? rows : undefined;
      },
      120_000,
      1_000,
    ).catch(async (error: Error) => {
      const rows = await query('up{job="siem-stream"}');
      const down = started.filter(({ stage }) => !rows.some((r) => r.metric.instance_stage === stage && r.value[1] === '1'));
      const logs = down.map(
        ({ stage, child }) => `${stage} (exit ${child.exitCode}):\n${readFileSync(child.logFile, 'utf8').slice(-2_000)}`,
      );
      throw new Error(`${error.message}; down: ${down.map((d) => d.stage).join(', ') || 'none'}\n${logs.join('\n')}`);
    });
    expect(up.map((r) => r.metric.instance_stage).sort()).toEqual([...stageNames(topology), 'lag-exporter'].sort());

    await waitFor(
      'the sink deliveries in Prometheus',
      async () => {
        const [row] = await query('sum(siem_records_out_total{instance_stage="sentinel"})');
        return row && Number(row.value[1]) >= valid ? true : undefined;
      },
      240_000,
      2_000,
    );
    const ready = await query('siem_stage_ready');
    expect(ready.map((r) => `${r.metric.stage}=${r.value[1]}`).sort()).toEqual(
      stageNames(topology)
        .map((s) => `${s}=1`)
        .sort(),
    );
    const dlq = await query('sum by (stage, error_code) (siem_dlq_records_total)');
    expect(dlq.map((r) => r.metric.stage)).toContain('parser');
    const lagStages = new Set((await query('siem_consumer_lag_records')).map((r) => r.metric.stage));
    expect([...lagStages].sort()).toEqual(['enricher', 'parser', ...topology.sinks.map((s) => s.name)].sort());
    const recorded = await waitFor(
      'recording rules evaluated',
      async () => {
        const rows = await query('siem:group_lag_records:sum');
        return rows.length >= 2 + topology.sinks.length ? rows : undefined;
      },
      60_000,
      1_000,
    );
    expect(new Set(recorded.map((r) => r.metric.group))).toEqual(
      new Set([topology.parser.groupId, topology.enricher.groupId, ...topology.sinks.map((s) => s.groupId)]),
    );
    const rules = (await (await fetch(`http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBeGreaterThan(10);
    expect(all.filter((r) => r.health !== 'ok')).toEqual([]);
  });
});
