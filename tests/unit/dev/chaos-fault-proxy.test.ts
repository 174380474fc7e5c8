import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, KAFKA_API } from '../../../src/dev/chaos/fault-proxy.js';

/** A Kafka-framed request: int32 size, int16 api_key, then payload. */
function frame(apiKey: number, body: string): Buffer {
  const payload = Buffer.concat([Buffer.from([apiKey >> 8, apiKey & 0xff]), Buffer.from(body)]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** An echo server behind a proxy; returns a connected client socket and what the server received, with times. */
async function setUp(): Promise<{ proxy: FaultProxy; client: Socket; received: Array<{ at: number; data: string }> }> {
  const received: Array<{ at: number; data: string }> = [];
  const server: Server = createServer((s) =>
    s.on('data', (d: Buffer) => received.push({ at: Date.now(), data: d.toString('latin1') })).on('error', () => undefined),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const target = (server.address() as { port: number }).port;
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const proxy = new FaultProxy(port, target);
  await proxy.start();
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  client.on('error', () => undefined);
  cleanup.push(
    () => void server.close(),
    () => proxy.stop(),
    () => void client.destroy(),
  );
  return { proxy, client, received };
}

const until = async (check: () => boolean, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('FaultProxy', () => {
  it('forwards bytes unchanged, and holds back only the requests of a chosen Kafka API', async () => {
    const { proxy, client, received } = await setUp();
    proxy.faults.delayApi = { apiKeys: [KAFKA_API.EndTxn], ms: 400 };
    const sent = Date.now();
    client.write(frame(KAFKA_API.EndTxn, 'commit'));
    client.write(frame(0, 'produce'));
    await until(() =>
      received
        .map((r) => r.data)
        .join('')
        .includes('produce'),
    );
    const all = received.map((r) => r.data).join('');
    expect(all).toBe(frame(KAFKA_API.EndTxn, 'commit').toString('latin1') + frame(0, 'produce').toString('latin1'));
    expect((received[0]?.at ?? 0) - sent).toBeGreaterThanOrEqual(390); // order kept: the later request waits too
    expect(proxy.delayedRequests).toBe(1);
  });

  it('reassembles frames split across packets before it looks at their api key', async () => {
    const { proxy, client, received } = await setUp();
    proxy.faults.delayApi = { apiKeys: [KAFKA_API.EndTxn], ms: 300 };
    const whole = frame(KAFKA_API.EndTxn, 'x'.repeat(50));
    client.write(whole.subarray(0, 3));
    await new Promise((r) => setTimeout(r, 50));
    client.write(whole.subarray(3));
    await until(() => received.map((r) => r.data).join('').length === whole.length);
    expect(proxy.delayedRequests).toBe(1);
  });

  it('black-holes traffic in a partition and resets the connections when it heals', async () => {
    const { proxy, client, received } = await setUp();
    proxy.faults.blackhole = true;
    client.write(frame(0, 'lost'));
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toHaveLength(0);
    const closed = new Promise((r) => client.once('close', r)); // events.once would reject on the RST's error
    proxy.heal();
    await closed;
    expect(proxy.faults).toEqual({ latencyMs: 0, blackhole: false });
  });

  it('resets every open connection on demand', async () => {
    const { proxy, client } = await setUp();
    const closed = new Promise((r) => client.once('close', r)); // events.once would reject on the RST's error
    expect(proxy.resetAll()).toBe(1);
    await closed;
  });
});
