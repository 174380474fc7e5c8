import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadTopology } from '../../src/config/load.js';
import '../../src/observability/lag-metrics.js';
import { metricsRegistry } from '../../src/observability/metrics.js';
import '../../src/observability/readiness.js';
import '../../src/stages/enricher/enricher-metrics.js';
import { stageGroups } from '../../src/ops/stage-groups.js';

const execFileAsync = promisify(execFile);
/** promtool comes with Debian's prometheus package; say so when it is missing instead of a bare ENOENT. */
const run = (cmd: string, args: string[], options: { cwd: string }) =>
  execFileAsync(cmd, args, options).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`${cmd} is not installed: apt-get install prometheus (Debian) provides it`);
    throw error;
  });
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes manifests are walked as parsed, untyped JSON
type Manifest = Record<string, any>;
const PROMTOOL = 'promtool'; // Debian: apt-get install prometheus

/** Metric names an expression reads, without the suffixes Prometheus adds to histograms. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(siem_[a-z0-9_]+)/g)].map((m) => (m[1] as string).replace(/_(bucket|sum|count)$/, ''));
}

async function registeredNames(): Promise<Set<string>> {
  return new Set((await metricsRegistry.getMetricsAsJSON()).map((m) => m.name));
}

describe('deploy/prometheus', () => {
  it("passes promtool: rule syntax, the rules' unit tests and the configuration", async () => {
    const cwd = 'deploy/prometheus';
    const rules = await run(PROMTOOL, ['check', 'rules', 'alerts.yml'], { cwd });
    expect(rules.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = await run(PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { cwd });
    expect(tests.stdout).toContain('SUCCESS');
    const config = await run(PROMTOOL, ['check', 'config', 'prometheus.yml'], { cwd });
    expect(config.stdout).toContain('is valid prometheus config file syntax');
  });

  it('alerts and the Grafana dashboard read only metrics the stages export', async () => {
    const known = await registeredNames();
    const rules = parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as {
      groups: Array<{ rules: Array<{ record?: string; alert?: string; expr: string; annotations?: { runbook?: string } }> }>;
    };
    const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr));
    const dashboard = JSON.parse(readFileSync('deploy/grafana/siem-stream-dashboard.json', 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
      templating: { list: Array<{ definition?: string }> };
    };
    exprs.push(...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)));
    exprs.push(...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])));
    const unknown = [...new Set(exprs.flatMap(metricNames))].filter((n) => !known.has(n));
    expect(unknown).toEqual([]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);

    // every runbook link points at a heading of docs/operations.md
    const anchors = new Set(
      [...readFileSync('docs/operations.md', 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
        (m[1] as string)
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replaceAll(' ', '-'),
      ),
    );
    const runbooks = rules.groups.flatMap((g) => g.rules.flatMap((r) => (r.annotations?.runbook ? [r.annotations.runbook] : [])));
    for (const link of runbooks) expect(anchors, link).toContain(link.split('#')[1]);
  });
});

describe('deploy/kubernetes/keda-scaledobjects.yaml', () => {
  it('scales each consuming stage Deployment on its own consumer group and input topic', () => {
    const docs = (file: string) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON() as Manifest);
    const base = docs('deploy/kubernetes/siem-stream.yaml');
    const keda = docs('deploy/kubernetes/keda-scaledobjects.yaml');
    const deployments = new Map(base.filter((d) => d.kind === 'Deployment').map((d) => [d.metadata.name as string, d]));
    const configMap = base.find((d) => d.kind === 'ConfigMap');
    const topologyYaml = parse(configMap?.data['topology.yaml']) as Manifest;
    const topology = loadTopology('/dev/null', {
      env: {},
      overrides: {
        ...topologyYaml,
        kafka: { ...topologyYaml.kafka, sasl: { ...topologyYaml.kafka.sasl, password: 'x' } },
        schemaRegistry: { ...topologyYaml.schemaRegistry, auth: { ...topologyYaml.schemaRegistry.auth, password: 'x' } },
      },
    });
    const scaled = keda.filter((d) => d.kind === 'ScaledObject');
    const groups = stageGroups(topology);
    expect(scaled.map((s) => s.metadata.labels['app.kubernetes.io/component']).sort()).toEqual(groups.map((g) => g.stage).sort());
    const auth = keda.find((d) => d.kind === 'TriggerAuthentication');
    const secret = keda.find((d) => d.kind === 'Secret' && d.metadata.name === auth?.spec.secretTargetRef[0].name);
    for (const ref of auth?.spec.secretTargetRef ?? []) expect(Object.keys(secret?.stringData ?? {})).toContain(ref.key);

    for (const so of scaled) {
      const stage = so.metadata.labels['app.kubernetes.io/component'] as string;
      const group = groups.find((g) => g.stage === stage);
      expect(deployments.has(so.spec.scaleTargetRef.name), so.spec.scaleTargetRef.name).toBe(true);
      expect(so.spec.maxReplicaCount).toBeLessThanOrEqual(topology.topics.partitions);
      const [trigger] = so.spec.triggers;
      expect(trigger.type).toBe('kafka');
      expect(trigger.authenticationRef.name).toBe(auth?.metadata.name);
      // KEDA's CRD types trigger metadata as map[string]string: numbers must be quoted
      for (const value of Object.values(trigger.metadata)) expect(typeof value).toBe('string');
      expect(trigger.metadata.consumerGroup).toBe(group?.group);
      expect(trigger.metadata.bootstrapServers).toBe(topology.kafka.brokers.join(','));
      if (trigger.metadata.topic !== undefined) expect(group?.topics).toEqual([trigger.metadata.topic]);
      else expect(group?.topics.length).toBeGreaterThan(1);
    }
    expect(deployments.get('siem-stream-s3-source')).toBeDefined();
    expect(scaled.some((s) => s.spec.scaleTargetRef.name === 'siem-stream-s3-source')).toBe(false);
    const exporter = keda.find((d) => d.kind === 'Deployment' && d.metadata.name === 'siem-stream-lag-exporter');
    expect(exporter?.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['lag-exporter', '/etc/siem-stream/topology.yaml']);
  });
});
