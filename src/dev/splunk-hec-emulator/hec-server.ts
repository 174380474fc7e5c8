import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { readBody } from '../logs-ingestion-emulator/request-body.js';
import type { HecEmulatorConfig } from './config.js';
import { parseStackedEvents } from './hec-body.js';

const gunzipAsync = promisify(gunzip);

export interface HecEvent {
  channel: string | undefined;
  receivedAt: string;
  event: Record<string, unknown>;
}

export interface HecStats {
  requests: number;
  accepted: number;
  events: number;
  busyAnswers: number;
  rejections: Record<string, number>;
  ackPolls: number;
  wireBytes: number;
  contentBytes: number;
  connectionsDropped: number;
}

/** Faults the tests inject: answers of "server is busy" (503, code 9) and dropped connections. */
export interface HecFaults {
  busy: number;
  busyRetryAfterSeconds?: number;
  drop: number;
}

interface Ack {
  readyAt: number;
}

/** The state of a HEC emulator: accepted events, pending acks per channel, counters, faults. */
export class HecState {
  events: HecEvent[] = [];
  acks = new Map<string, Map<number, Ack>>();
  nextAckId = new Map<string, number>();
  faults: HecFaults = { busy: 0, drop: 0 };
  stats: HecStats = emptyStats();

  reset(): void {
    this.events = [];
    this.acks.clear();
    this.nextAckId.clear();
    this.faults = { busy: 0, drop: 0 };
    this.stats = emptyStats();
  }
}

function emptyStats(): HecStats {
  return {
    requests: 0,
    accepted: 0,
    events: 0,
    busyAnswers: 0,
    rejections: {},
    ackPolls: 0,
    wireBytes: 0,
    contentBytes: 0,
    connectionsDropped: 0,
  };
}

export function listenHec(config: HecEmulatorConfig, state: HecState): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    route(req, res, config, state).catch((err: unknown) =>
      answer(res, 500, { text: `emulator error: ${(err as Error).message}`, code: 8 }),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

async function route(req: IncomingMessage, res: ServerResponse, config: HecEmulatorConfig, state: HecState): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hec.invalid');
  if (req.method === 'GET' && url.pathname === '/services/collector/health') return answer(res, 200, { text: 'HEC is healthy', code: 17 });
  if (req.method !== 'POST') return answer(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
  const channel = header(req, 'x-splunk-request-channel') ?? url.searchParams.get('channel') ?? undefined;
  const auth = /^Splunk\s+(\S+)$/i.exec(header(req, 'authorization') ?? '');
  if (!auth) return reject(res, state, 401, { text: 'Token is required', code: 2 });
  const token = config.tokens[auth[1] as string];
  if (!token) return reject(res, state, 403, { text: 'Invalid token', code: 4 });
  if (token.ack && !channel) return reject(res, state, 400, { text: 'Data channel is missing', code: 10 });
  if (url.pathname === '/services/collector/ack') return ackRoute(req, res, state, channel);
  if (url.pathname !== '/services/collector/event' && url.pathname !== '/services/collector') {
    return answer(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
  }
  state.stats.requests++;
  const read = await readBody(req, config.maxContentLength);
  if (read.kind === 'tooLarge') return reject(res, state, 413, { text: 'Content too large', code: 27 });
  if (state.faults.busy > 0) {
    state.faults.busy--;
    state.stats.busyAnswers++;
    const extra: Record<string, string> =
      state.faults.busyRetryAfterSeconds === undefined ? {} : { 'retry-after': String(state.faults.busyRetryAfterSeconds) };
    return answer(res, 503, { text: 'Server is busy', code: 9 }, extra);
  }
  let text: string;
  try {
    text = (header(req, 'content-encoding') === 'gzip' ? await gunzipAsync(read.body) : read.body).toString('utf8');
  } catch {
    return reject(res, state, 400, { text: 'Invalid data format', code: 6 });
  }
  let events: unknown[];
  try {
    events = parseStackedEvents(text);
  } catch {
    return reject(res, state, 400, { text: 'Invalid data format', code: 6 });
  }
  if (events.length === 0) return reject(res, state, 400, { text: 'No data', code: 5 });
  for (const [i, e] of events.entries()) {
    const value = (e as { event?: unknown }).event;
    if (value === undefined) return reject(res, state, 400, { text: 'Event field is required', code: 12, 'invalid-event-number': i });
    if (value === '' || value === null)
      return reject(res, state, 400, { text: 'Event field cannot be blank', code: 13, 'invalid-event-number': i });
  }
  const receivedAt = new Date().toISOString();
  for (const e of events) state.events.push({ channel, receivedAt, event: e as Record<string, unknown> });
  state.stats.accepted++;
  state.stats.events += events.length;
  state.stats.wireBytes += read.body.length;
  state.stats.contentBytes += Buffer.byteLength(text);
  if (state.faults.drop > 0) {
    // the events were indexed, but the answer is lost: the client must send again (a duplicate)
    state.faults.drop--;
    state.stats.connectionsDropped++;
    req.socket.destroy();
    return;
  }
  if (!token.ack || !channel) return answer(res, 200, { text: 'Success', code: 0 });
  const ackId = state.nextAckId.get(channel) ?? 0;
  state.nextAckId.set(channel, ackId + 1);
  const pending = state.acks.get(channel) ?? new Map<number, Ack>();
  pending.set(ackId, { readyAt: Date.now() + config.ackDelayMs });
  state.acks.set(channel, pending);
  answer(res, 200, { text: 'Success', code: 0, ackId });
}

/** `{"acks":[ids]}` → `{"acks":{"id":bool}}`; an id reported true is forgotten, as Splunk does. */
async function ackRoute(req: IncomingMessage, res: ServerResponse, state: HecState, channel: string | undefined): Promise<void> {
  state.stats.ackPolls++;
  if (!channel) return reject(res, state, 400, { text: 'Data channel is missing', code: 10 });
  const read = await readBody(req, 1_000_000);
  let ids: unknown;
  try {
    ids = read.kind === 'ok' ? (JSON.parse(read.body.toString('utf8')) as { acks?: unknown }).acks : undefined;
  } catch {
    ids = undefined;
  }
  if (!Array.isArray(ids)) return reject(res, state, 400, { text: 'Invalid data format', code: 6 });
  const pending = state.acks.get(channel) ?? new Map<number, Ack>();
  const acks: Record<string, boolean> = {};
  for (const id of ids) {
    const ack = pending.get(Number(id));
    const ready = ack !== undefined && ack.readyAt <= Date.now();
    acks[String(id)] = ready;
    if (ready) pending.delete(Number(id));
  }
  answer(res, 200, { acks });
}

function reject(res: ServerResponse, state: HecState, status: number, body: Record<string, unknown>): void {
  state.stats.rejections[String(status)] = (state.stats.rejections[String(status)] ?? 0) + 1;
  answer(res, status, body);
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
