import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorConfig } from './config.js';
import { type FaultInjector, faultRequestSchema } from './faults.js';
import type { RecordFilter, RecordStore } from './record-store.js';
import { readBody } from './request-body.js';
import { sendJson } from './responses.js';

export const CONTROL_PREFIX = '/_emulator/';

export interface ControlContext {
  config: EmulatorConfig;
  store: RecordStore;
  faults: FaultInjector;
  caCertPem: string;
}

/**
 * The emulator's own API: inspect what was accepted, reset, inject faults. It has no auth, so it
 * answers only connections from this machine.
 */
export async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ControlContext): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    req.resume();
    return sendJson(res, 403, { error: { code: 'Forbidden', message: 'the emulator control API answers loopback clients only' } });
  }
  const route = `${req.method} ${url.pathname.slice(CONTROL_PREFIX.length).replace(/\/$/, '')}`;
  switch (route) {
    case 'GET health':
      return sendJson(res, 200, { status: 'ok' });
    case 'GET records': {
      const records = ctx.store.records(recordFilter(url.searchParams));
      return sendJson(res, 200, { count: records.length, records });
    }
    case 'GET stats':
      return sendJson(res, 200, { ...ctx.store.stats(), pendingFaults: ctx.faults.snapshot() });
    case 'POST reset':
      ctx.store.reset();
      ctx.faults.clear();
      req.resume();
      return sendJson(res, 200, { reset: true });
    case 'GET faults':
      return sendJson(res, 200, ctx.faults.snapshot());
    case 'POST faults':
      return setFaults(req, res, ctx.faults);
    case 'DELETE faults':
      ctx.faults.clear(url.searchParams.get('stream') ?? undefined);
      req.resume();
      return sendJson(res, 200, ctx.faults.snapshot());
    case 'GET config':
      return sendJson(res, 200, { dcrs: ctx.config.dcrs, limits: ctx.config.limits });
    case 'GET ca.pem':
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      return void res.end(ctx.caCertPem);
    default:
      req.resume();
      return sendJson(res, 404, { error: { code: 'NotFound', message: `no emulator route ${route}` } });
  }
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return v4.startsWith('127.') || address === '::1';
}

async function setFaults(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<void> {
  const read = await readBody(req, 64 * 1024);
  if (read.kind === 'tooLarge')
    return sendJson(res, 413, { error: { code: 'TooLarge', message: 'a fault request is a small JSON object' } });
  let body: unknown;
  try {
    body = JSON.parse(read.body.toString('utf8'));
  } catch (err) {
    return sendJson(res, 400, { error: { code: 'InvalidJson', message: (err as Error).message } });
  }
  const parsed = faultRequestSchema.safeParse(body);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return sendJson(res, 400, { error: { code: 'InvalidFaultRequest', message } });
  }
  faults.set(parsed.data);
  sendJson(res, 200, faults.snapshot());
}

function recordFilter(params: URLSearchParams): RecordFilter {
  const filter: RecordFilter = {};
  const stream = params.get('stream');
  const table = params.get('table');
  const dcr = params.get('dcr');
  const offset = Number(params.get('offset') ?? Number.NaN);
  const limit = Number(params.get('limit') ?? Number.NaN);
  if (stream) filter.stream = stream;
  if (table) filter.table = table;
  if (dcr) filter.dcrImmutableId = dcr;
  if (Number.isInteger(offset) && offset >= 0) filter.offset = offset;
  if (Number.isInteger(limit) && limit >= 0) filter.limit = limit;
  return filter;
}
