import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One PutLogEvents call as it went over the wire. */
export interface RecordedPut {
  group: string;
  stream: string;
  events: Array<{ timestamp: number; message: string }>;
  /** as CloudWatch counts it: Σ (UTF-8 message bytes + 26) */
  bytes: number;
  /** what the proxy answered instead of forwarding, if it did */
  fault?: CloudWatchFault;
}

/** How a PutLogEvents call is failed, as CloudWatch Logs (or the network) fails it. */
export type CloudWatchFault = 'throttling' | 'unavailable' | 'reset';

export interface CloudWatchProxy {
  url: string;
  puts: RecordedPut[];
  /** the next `times` PutLogEvents calls get `fault` instead of reaching the server */
  fail(fault: CloudWatchFault, times: number): void;
  /** every request is reset from now on; resolves once those already forwarded were answered */
  hold(): Promise<void>;
  release(): void;
  stop(): Promise<void>;
}

const FAULT_ANSWERS = {
  throttling: { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' },
  unavailable: { status: 503, type: 'ServiceUnavailableException', message: 'The service cannot complete the request.' },
} as const;

/**
 * A pass-through proxy in front of the real CloudWatch Logs server (moto) that records every
 * PutLogEvents call and can fail chosen ones the way the service does: a ThrottlingException
 * (HTTP 400, JSON 1.1 error body), a ServiceUnavailableException (503), or a connection reset.
 * moto itself never throttles. The Host header is kept, so the SigV4 signature still matches.
 */
export async function cloudwatchProxy(target: string): Promise<CloudWatchProxy> {
  const upstream = new URL(target);
  const puts: RecordedPut[] = [];
  const faults: CloudWatchFault[] = [];
  let held = false;
  let forwarded = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (held) {
        req.socket.resetAndDestroy();
        return;
      }
      const body = Buffer.concat(chunks);
      if (String(req.headers['x-amz-target'] ?? '').endsWith('.PutLogEvents')) {
        const input = JSON.parse(body.toString('utf8')) as {
          logGroupName: string;
          logStreamName: string;
          logEvents: RecordedPut['events'];
        };
        const fault = faults.shift();
        puts.push({
          group: input.logGroupName,
          stream: input.logStreamName,
          events: input.logEvents,
          bytes: input.logEvents.reduce((n, e) => n + Buffer.byteLength(e.message, 'utf8') + 26, 0),
          ...(fault ? { fault } : {}),
        });
        if (fault === 'reset') {
          req.socket.resetAndDestroy();
          return;
        }
        if (fault) {
          const answer = FAULT_ANSWERS[fault];
          res
            .writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `proxy-${puts.length}` })
            .end(JSON.stringify({ __type: answer.type, message: answer.message }));
          return;
        }
      }
      forwarded++;
      res.on('close', () => forwarded--);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    puts,
    fail: (fault, times) => faults.push(...Array.from({ length: times }, () => fault)),
    hold: async () => {
      held = true;
      while (forwarded > 0) await new Promise((r) => setTimeout(r, 20));
    },
    release: () => {
      held = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
