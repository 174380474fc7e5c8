import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A keep-alive HTTP(S) client for one destination; an extra CA is trusted by this client only. */
export class HttpClient {
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly https: boolean;

  constructor(
    readonly baseUrl: string,
    options: { ca?: string; rejectUnauthorized?: boolean } = {},
  ) {
    this.https = baseUrl.startsWith('https:');
    this.agent = this.https
      ? new HttpsAgent({
          keepAlive: true,
          ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
          rejectUnauthorized: options.rejectUnauthorized ?? true,
        })
      : new HttpAgent({ keepAlive: true });
  }

  send(method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<HttpAnswer> {
    const url = new URL(path, this.baseUrl);
    const request = this.https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        { method, agent: this.agent, signal, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
