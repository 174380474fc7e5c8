import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsRegistry } from './metrics.js';

export interface HealthState {
  live: () => boolean;
  ready: () => boolean;
  /** the /readyz body: what each stage waits for */
  report?: () => string;
}

/** Serves /metrics (Prometheus), /healthz (process alive) and /readyz (every stage assigned and its state restored). */
export async function startObservabilityServer(port: number, health: HealthState): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      metricsRegistry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(body))
        .catch((error: Error) => res.writeHead(500).end(error.message));
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? health.live() : health.ready();
      const detail = path === '/readyz' && health.report ? `${health.report()}\n` : '';
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${ok ? 'ok' : 'not ready'}\n${detail}`);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '0.0.0.0', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
