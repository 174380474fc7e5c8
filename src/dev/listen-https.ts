import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../observability/logger.js';
import type { EmulatorCertificate } from './logs-ingestion-emulator/certificate.js';

export interface ListeningServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** An HTTPS server of the local stack (the emulators, the registry proxy), listening once this resolves. */
export async function listenHttps(
  options: { certificate: EmulatorCertificate; host: string; port: number; logger: Logger; what: string },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<ListeningServer> {
  const server = createServer({ cert: options.certificate.certPem, key: options.certificate.keyPem }, handler);
  server.on('tlsClientError', (err) =>
    options.logger.debug({ err }, `TLS handshake failed (does the client trust the ${options.what} certificate?)`),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // keep-alive sockets of SDK clients would otherwise hold close() open
        server.closeAllConnections();
      }),
  };
}
