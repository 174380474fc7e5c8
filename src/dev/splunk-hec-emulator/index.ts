import { type HecEmulatorConfig, type HecEmulatorConfigInput, hecEmulatorConfigSchema } from './config.js';
import { type HecEvent, type HecFaults, HecState, type HecStats, listenHec } from './hec-server.js';

export type { HecEvent, HecStats } from './hec-server.js';

export interface SplunkHecEmulator {
  url: string;
  port: number;
  config: HecEmulatorConfig;
  events(): HecEvent[];
  stats(): HecStats;
  /** the next `count` event requests are answered 503 "Server is busy" (code 9) */
  busy(count: number, retryAfterSeconds?: number): void;
  /** the next `count` event requests are indexed, then their connection is dropped before the answer */
  dropAfterAccept(count: number): void;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * An in-process emulator of Splunk's HTTP Event Collector: token auth (`Authorization: Splunk`),
 * stacked JSON events, gzip, max_content_length → 413, channels and indexer acknowledgement
 * (ackIds per channel, polled on /services/collector/ack), 503 busy answers, the health endpoint.
 */
export async function startSplunkHecEmulator(input: HecEmulatorConfigInput): Promise<SplunkHecEmulator> {
  const config = hecEmulatorConfigSchema.parse(input);
  const state = new HecState();
  const { server, port } = await listenHec(config, state);
  const setFaults = (change: Partial<HecFaults>) => {
    state.faults = { ...state.faults, ...change };
  };
  return {
    url: `http://${config.host}:${port}`,
    port,
    config,
    events: () => state.events,
    stats: () => state.stats,
    busy: (count, retryAfterSeconds) =>
      setFaults({ busy: count, ...(retryAfterSeconds === undefined ? {} : { busyRetryAfterSeconds: retryAfterSeconds }) }),
    dropAfterAccept: (count) => setFaults({ drop: count }),
    reset: () => state.reset(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
