import { createConnection, createServer } from 'node:net';
import { logFile, logTail, runningPid } from './process-files.js';

export const HOST = '127.0.0.1';

/** True when something accepts connections on, or already holds, 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  const bindable = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
  return !bindable || (await tcpOpen(port, 300));
}

export function tcpOpen(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: HOST });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Status code of a GET, or undefined when nothing answers. */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<{ status: number; headers: Headers } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { status: res.status, headers: res.headers };
  } catch {
    return undefined;
  }
}

/** Fails with a clear message when a port this stack needs belongs to something else. */
export async function assertPortsFree(ports: Array<{ port: number; label: string }>): Promise<void> {
  for (const { port, label } of ports) {
    if (await portInUse(port)) {
      throw new Error(
        `port ${port} (${label}) on ${HOST} is already in use by another process — stop it, or start the stack with other ports ` +
          '(StackOptions.ports / a different --home), e.g. `ss -ltnp | grep :' +
          `${port}\` shows who holds it`,
      );
    }
  }
}

/**
 * Polls `check` until it passes. Fails early when a unit's process exits, and after the timeout;
 * both errors carry the last 20 lines of the relevant logs.
 */
export async function waitHealthy(opts: {
  service: string;
  home: string;
  units: string[];
  timeoutMs: number;
  check: () => Promise<boolean>;
}): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await opts.check().catch(() => false)) return Date.now() - started;
    for (const unit of opts.units) {
      if (runningPid(opts.home, unit) === undefined) {
        throw new Error(
          `${opts.service}: process ${unit} exited during startup; last lines of ${logFile(opts.home, unit)}:\n${logTail(logFile(opts.home, unit))}`,
        );
      }
    }
    if (Date.now() - started > opts.timeoutMs) {
      const tails = opts.units.map((u) => `--- ${logFile(opts.home, u)} (last 20 lines):\n${logTail(logFile(opts.home, u))}`).join('\n');
      throw new Error(`${opts.service} did not become healthy within ${Math.round(opts.timeoutMs / 1000)}s\n${tails}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
