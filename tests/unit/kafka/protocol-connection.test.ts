import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { API } from '../../../src/kafka/protocol/apis.js';
import { BrokerConnection } from '../../../src/kafka/protocol/connection.js';
import { KafkaProtocolError } from '../../../src/kafka/protocol/errors.js';

// Not a Kafka stand-in: a TCP peer that stays silent or hangs up, to see the client give up in time.
let server: Server | undefined;
const sockets: Socket[] = [];

async function peer(onConnection: (socket: Socket) => void): Promise<number> {
  server = createServer((socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const options = (port: number) => ({ host: '127.0.0.1', port, clientId: 't', connectionTimeoutMs: 1_000, requestTimeoutMs: 300 });
const apiVersions = (connection: BrokerConnection) =>
  connection.call(
    API.apiVersions,
    0,
    () => {},
    (body) => body.int16(),
  );

describe('a broker connection', () => {
  it('gives up on a request the broker does not answer within requestTimeoutMs, as a retriable error', async () => {
    const port = await peer(() => {});
    const connection = await BrokerConnection.open(options(port));
    const started = Date.now();
    const error = await apiVersions(connection).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaProtocolError);
    expect((error as Error).message).toBe(`ApiVersions v0 to 127.0.0.1:${port} timed out after 300 ms`);
    expect((error as KafkaProtocolError).retriable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect(apiVersions(connection)).rejects.toThrow(/closed by this client/); // the connection is not reused
  });

  it('fails a request in flight when the broker hangs up', async () => {
    const port = await peer((socket) => socket.once('data', () => socket.destroy()));
    const connection = await BrokerConnection.open(options(port));
    await expect(apiVersions(connection)).rejects.toThrow(`the connection to 127.0.0.1:${port} closed`);
  });

  it('says which broker refused the connection', async () => {
    const port = await peer(() => {});
    await new Promise((resolve) => server?.close(resolve));
    const error = await BrokerConnection.open(options(port)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`connecting to 127.0.0.1:${port} failed: .*ECONNREFUSED`));
    expect((error as KafkaProtocolError).retriable).toBe(true);
  });

  it('gives up on a TLS handshake the peer never answers within connectionTimeoutMs', async () => {
    const port = await peer(() => {});
    await expect(BrokerConnection.open({ ...options(port), tls: { rejectUnauthorized: true } })).rejects.toThrow(
      `connecting to 127.0.0.1:${port} timed out after 1000 ms`,
    );
  });

  it('reads a response that arrives one byte at a time', async () => {
    const port = await peer((socket) =>
      socket.once('data', async (request) => {
        const correlationId = request.readInt32BE(8);
        const response = Buffer.alloc(4 + 4 + 2 + 4);
        response.writeInt32BE(10, 0);
        response.writeInt32BE(correlationId, 4);
        response.writeInt16BE(35, 8); // error code, then an empty array
        for (const byte of response) {
          socket.write(Buffer.of(byte));
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }),
    );
    const connection = await BrokerConnection.open({ ...options(port), requestTimeoutMs: 5_000 });
    const answer = await connection.call(
      API.apiVersions,
      0,
      () => {},
      (body) => ({ errorCode: body.int16(), apis: body.array(() => body.int16()) }),
    );
    expect(answer).toEqual({ errorCode: 35, apis: [] });
    connection.close();
  });
});
