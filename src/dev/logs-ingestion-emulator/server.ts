import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/logger.js';
import { type ListeningServer, listenHttps } from '../listen-https.js';
import type { EmulatorCertificate } from './certificate.js';
import { CONTROL_PREFIX, type ControlContext, handleControl } from './control-routes.js';
import { handleIngestion, INGESTION_PATH, type IngestionContext } from './ingestion-route.js';
import { sendAzureError } from './responses.js';

export type EmulatorContext = IngestionContext & ControlContext;

/** The HTTPS server: the Logs Ingestion route, the control routes, and an Azure-shaped 404 for the rest. */
export function listen(certificate: EmulatorCertificate, host: string, port: number, ctx: EmulatorContext): Promise<ListeningServer> {
  return listenHttps({ certificate, host, port, logger: ctx.logger, what: 'emulator' }, (req, res) => {
    route(req, res, ctx).catch((err: unknown) => failed(res, ctx.logger, err));
  });
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: EmulatorContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://emulator.invalid');
  if (url.pathname.startsWith(CONTROL_PREFIX)) return handleControl(req, res, url, ctx);
  if (INGESTION_PATH.test(url.pathname)) return handleIngestion(req, res, url, ctx);
  ctx.store.countRequest(undefined);
  ctx.store.countRejection(404);
  req.resume();
  sendAzureError(res, 404, 'NotFound', `No route for ${req.method} ${url.pathname}.`);
}

function failed(res: ServerResponse, logger: Logger, err: unknown): void {
  logger.error({ err }, 'emulator request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendAzureError(res, 500, 'InternalServerError', `emulator error: ${(err as Error).message}`);
}
