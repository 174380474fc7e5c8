import { join } from 'node:path';
import type { LogsIngestionEmulator } from '../../src/dev/logs-ingestion-emulator/index.js';
import { type RsyslogReceiver, startRsyslogReceiver } from '../../src/dev/rsyslog/rsyslog-receiver.js';
import { type HecEvent, type SplunkHecEmulator, startSplunkHecEmulator } from '../../src/dev/splunk-hec-emulator/index.js';
import { type StackEndpoints, stackDown, stackUp } from '../../src/dev/stack/index.js';
import { cloudwatchClient, eventIdOfMessage, storedLogEvents } from '../support/cloudwatch-logs.js';
import { cloudwatchProxy } from '../support/cloudwatch-proxy.js';
import { sentinelConfig, startTestEmulator } from './sink-harness.js';

const PORT_OFFSET = Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);
/** fixed ports (so a restart comes back where the sink expects it), shifted per checkout */
export const SINK_TEST_PORTS = {
  sentinel: 27443 + PORT_OFFSET,
  hec: 27088 + PORT_OFFSET,
  syslogTcp: 27514 + PORT_OFFSET,
  syslogTls: 27515 + PORT_OFFSET,
  cloudwatch: 27400 + PORT_OFFSET,
};

/** A destination as the conformance suite drives it: its real receiver, what arrived, a restart. */
export interface TestDestination {
  name: string;
  config(id: string, extra?: Record<string, unknown>): Record<string, unknown>;
  /** EventIds in arrival order, duplicates included */
  receivedIds(): string[] | Promise<string[]>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function sentinelDestination(dir: string): Promise<TestDestination> {
  let emulator: LogsIngestionEmulator = await startTestEmulator(dir, {}, SINK_TEST_PORTS.sentinel);
  return {
    name: 'sentinel',
    config: (id, extra = {}) => sentinelConfig(emulator, id, extra),
    receivedIds: () => emulator.store.records().map((r) => String(r.record.EventId)),
    restart: async () => {
      await emulator.stop();
      await new Promise((r) => setTimeout(r, 500));
      // same port, certificate and records file: accepted records survive the restart
      emulator = await startTestEmulator(dir, {}, SINK_TEST_PORTS.sentinel);
    },
    stop: () => emulator.stop(),
  };
}

export const HEC_TOKEN = '11111111-2222-3333-4444-555555555555';

export async function splunkDestination(): Promise<TestDestination & { emulator(): SplunkHecEmulator }> {
  const start = () => startSplunkHecEmulator({ port: SINK_TEST_PORTS.hec, tokens: { [HEC_TOKEN]: { ack: true } }, ackDelayMs: 30 });
  let emulator = await start();
  let before: HecEvent[] = [];
  return {
    name: 'splunk-hec',
    emulator: () => emulator,
    config: (id, extra = {}) => ({
      name: 'splunk',
      type: 'splunk-hec',
      groupId: `test-${id}-splunk`,
      url: emulator.url,
      token: HEC_TOKEN,
      index: 'siem',
      ack: { enabled: true, pollIntervalMs: 50, timeoutMs: 10_000 },
      retry: { attempts: 20, baseMs: 100, capMs: 2_000 },
      batch: { maxLatencyMs: 300 },
      ...extra,
    }),
    receivedIds: () => [...before, ...emulator.events()].map((e) => String((e.event.event as { EventId: string }).EventId)),
    restart: async () => {
      before = [...before, ...emulator.events()];
      await emulator.stop();
      await new Promise((r) => setTimeout(r, 500));
      emulator = await start();
    },
    stop: () => emulator.stop(),
  };
}

export async function syslogDestination(dir: string, transport: 'tcp' | 'tls'): Promise<TestDestination & { receiver: RsyslogReceiver }> {
  const port = transport === 'tcp' ? SINK_TEST_PORTS.syslogTcp : SINK_TEST_PORTS.syslogTls;
  const receiver = await startRsyslogReceiver({ dir: join(dir, `rsyslog-${transport}`), port, transport });
  return {
    name: `syslog-${transport}`,
    receiver,
    config: (id, extra = {}) => ({
      name: `syslog-${transport}`,
      type: 'syslog',
      groupId: `test-${id}-syslog-${transport}`,
      host: '127.0.0.1',
      port,
      transport,
      tls: { caFile: receiver.caFile },
      retry: { attempts: 20, baseMs: 100, capMs: 2_000 },
      batch: { maxLatencyMs: 300 },
      ...extra,
    }),
    receivedIds: () => receiver.messages().map((m) => eventIdOf(m.sd)),
    restart: () => receiver.restart(),
    stop: () => receiver.stop(),
  };
}

export function eventIdOf(structuredData: string): string {
  return /eventId="([^"]+)"/.exec(structuredData)?.[1] ?? '';
}

/**
 * CloudWatch Logs: a moto server of its own, started and stopped by the project's stack (a home of
 * its own, so its restart leaves the shared stack alone). moto keeps everything in memory: a restart
 * loses the log groups, streams and events, so what arrived before is read first — with the sink's
 * connections reset by a proxy in front, so nothing is acknowledged between that read and the stop —
 * and the sink has to create its group and stream again.
 */
export async function cloudwatchDestination(): Promise<TestDestination & { endpoints(): StackEndpoints['cloudwatch'] }> {
  // a fixed home: a moto left running by a crashed run is found and reused, not a port conflict
  const home = join('.stack-test', 'conformance-cloudwatch');
  const up = async () =>
    (await stackUp({ home, services: ['cloudwatch'], ports: { cloudwatch: SINK_TEST_PORTS.cloudwatch }, onProgress: () => {} })).cloudwatch;
  const endpoints = await up();
  const proxy = await cloudwatchProxy(endpoints.endpoint);
  const client = cloudwatchClient(endpoints);
  const prefix = '/siem-conformance/';
  const stored = async () => (await storedLogEvents(client, prefix)).map((e) => eventIdOfMessage(e.message));
  let before: string[] = [];
  return {
    name: 'cloudwatch-logs',
    endpoints: () => endpoints,
    config: (id, extra = {}) => ({
      name: 'cloudwatch',
      type: 'cloudwatch-logs',
      groupId: `test-${id}-cloudwatch`,
      region: endpoints.region,
      endpoint: proxy.url,
      credentials: { accessKeyId: endpoints.accessKeyId, secretAccessKey: endpoints.secretAccessKey },
      logGroup: `${prefix}${id}/{EventSchema}`,
      logStream: 'siem-stream',
      retry: { attempts: 20, baseMs: 100, capMs: 2_000 },
      batch: { maxLatencyMs: 300 },
      ...extra,
    }),
    receivedIds: async () => [...before, ...(await stored())],
    restart: async () => {
      await proxy.hold();
      before = [...before, ...(await stored())];
      await stackDown({ home });
      await new Promise((r) => setTimeout(r, 500));
      await up();
      proxy.release();
    },
    stop: async () => {
      client.destroy();
      await proxy.stop();
      await stackDown({ home });
    },
  };
}
