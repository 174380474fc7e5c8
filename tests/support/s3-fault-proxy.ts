import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3FaultRule {
  /** the object requests it answers: GET (reads, the default) or another method (DELETE, PUT — a copy is a PUT) */
  method?: string;
  /** which object requests (by decoded key path) the rule answers */
  matches: (path: string) => boolean;
  status: number;
  /** S3's error code, e.g. SlowDown, AccessDenied, InternalError */
  code: string;
  message?: string;
  /** how many requests it answers; every one when absent (an object that fails on every read) */
  times?: number;
}

export interface S3FaultProxy {
  url: string;
  /** requests answered with a fault so far */
  answered: () => number;
  server: Server;
}

function isObjectRequest(req: IncomingMessage, path: string, method: string): boolean {
  return req.method === method && !(req.url ?? '').includes('list-type=') && path.split('/').length > 2;
}

/**
 * A pass-through proxy in front of the real S3 server that answers chosen object requests with an S3
 * error, the way S3 does (throttling, refused keys, internal errors); everything else reaches the
 * server. The Host header is kept, so the SigV4 signature still matches.
 */
export async function s3FaultProxy(target: string, rules: S3FaultRule[]): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const used = rules.map(() => 0);
  let answered = 0;
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0] ?? '');
    const index = rules.findIndex(
      (r, i) => isObjectRequest(req, path, r.method ?? 'GET') && r.matches(path) && (r.times === undefined || (used[i] ?? 0) < r.times),
    );
    const rule = rules[index];
    if (rule) {
      used[index] = (used[index] ?? 0) + 1;
      answered++;
      req.resume();
      res
        .writeHead(rule.status, { 'content-type': 'application/xml', 'x-amz-request-id': `proxy-${answered}` })
        .end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${rule.code}</Code><Message>${rule.message ?? 'injected by the test proxy'}</Message></Error>`,
        );
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answered: () => answered, server };
}
