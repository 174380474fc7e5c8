import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../src/config/topics.js';
import { buildImage } from '../../src/dev/image/build.js';
import { podmanEnv } from '../../src/dev/image/podman.js';
import { ensureTopics, topologyTopics } from '../../src/kafka/admin.js';
import { createKafka } from '../../src/kafka/client-factory.js';
import { loggedPort, topologyFile } from '../support/ops-cli.js';
import { exited, waitFor } from '../support/stage-process.js';
import { testTopology } from '../support/test-topology.js';
import { expectEveryInputOnce, produceFirewallRecords } from './parser-fixtures.js';

const RECORDS = 2_000;
// A cold build (no podman layers yet) installs every npm package and compiles librdkafka: about 17 min
// on this 2-core machine under a load of 30, far less on an idle one; with the layers cached, seconds.
const BUILD_TIMEOUT_MS = 60 * 60_000;
const podmanCli = promisify(execFile);
const podman = (args: string[]) => podmanCli('podman', args, { env: podmanEnv() });

describe('the container image: deploy/Dockerfile built with podman, a stage run from it', () => {
  let image = '';
  const containers: string[] = [];
  beforeAll(async () => {
    const built = await buildImage({ onProgress: (m) => process.stderr.write(`[image] ${m}\n`) });
    image = built.image;
  }, BUILD_TIMEOUT_MS);
  afterAll(async () => {
    for (const name of containers) await podman(['rm', '--force', '--ignore', name]).catch(() => {});
  });

  it('runs the parser from the image on the host network: /readyz answers, every raw record comes out once, SIGTERM exits 0', async () => {
    const topology = testTopology();
    const names = topicNames(topology);
    const kafka = createKafka(topology.kafka, 'test');
    await ensureTopics(kafka, topologyTopics(topology));
    const malformed = await produceFirewallRecords(kafka, names.raw('firewall'), RECORDS, 6);

    const name = `siem-image-test-${randomUUID().slice(0, 8)}`;
    containers.push(name);
    const logFile = join(mkdtempSync(join(tmpdir(), 'siem-image-')), 'parser.log');
    const log = openSync(logFile, 'a');
    const args = ['run', '--rm', '--name', name, '--network', 'host'];
    args.push('--volume', `${topologyFile(topology)}:/etc/siem-stream/topology.yaml:ro`);
    args.push(image, 'run', '/etc/siem-stream/topology.yaml', '--stage', 'parser', '--metrics-port', '0');
    const container = spawn('podman', args, { env: podmanEnv(), stdio: ['ignore', log, log] });
    const logTail = () => readFileSync(logFile, 'utf8').slice(-3_000);

    const port = await waitFor('the metrics port in the container log', async () => loggedPort(logFile), 120_000, 250);
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    await waitFor('/readyz', async () => ((await fetch(url('/readyz'))).status === 200 ? true : undefined), 120_000, 250);

    // the stage is the image's: its Node.js, its app folder, its unprivileged user
    const inside = await podman(['exec', name, 'node', '-p', 'JSON.stringify([process.getuid(), process.cwd(), process.version])']);
    const [uid, cwd, nodeVersion] = JSON.parse(inside.stdout) as [number, string, string];
    expect({ uid, cwd }).toEqual({ uid: 1000, cwd: '/app' });
    expect(nodeVersion).toMatch(/^v2\d\./);

    await expectEveryInputOnce(kafka, topology, RECORDS, malformed);
    const metrics = await (await fetch(url('/metrics'))).text();
    const recordsIn = metrics
      .split('\n')
      .filter((l) => l.startsWith('siem_records_in_total'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(recordsIn).toBe(RECORDS);

    await podman(['stop', '--time', '30', name]);
    const exit = await exited(container);
    expect(exit.code, logTail()).toBe(0);
  });
});
