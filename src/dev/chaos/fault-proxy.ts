import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of one broker's PROXIED listener that can be told to misbehave, in the
 * manner of toxiproxy: add latency, reset every connection, black-hole traffic for a while
 * (a network partition: connections stay open, nothing arrives), or hold back the Kafka requests
 * of one API (EndTxn, say) longer than the client's request timeout. It reads the Kafka framing
 * (a 4-byte size, then api_key) of what clients send, so it can pick requests out; it never
 * changes a byte.
 */
export interface ProxyFaults {
  /** extra delay on every client → broker frame */
  latencyMs: number;
  /** nothing is forwarded in either direction, new connections are accepted and left hanging */
  blackhole: boolean;
  /** requests of these Kafka api keys are held this long before they are forwarded */
  delayApi?: { apiKeys: number[]; ms: number };
}

/** Kafka API keys the harness targets. */
export const KAFKA_API = { EndTxn: 26, AddOffsetsToTxn: 25, TxnOffsetCommit: 28 } as const;

interface Pair {
  client: Socket;
  broker: Socket;
}

export class FaultProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  faults: ProxyFaults = { latencyMs: 0, blackhole: false };
  /** how many frames of a delayed API were held back, for the harness's report */
  delayedRequests = 0;

  constructor(
    readonly listenPort: number,
    private readonly targetPort: number,
    private readonly host = '127.0.0.1',
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.listenPort, this.host, () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.resetAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Every open connection is reset (RST), as a crashed middlebox or a lost NAT entry would. */
  resetAll(): number {
    const count = this.pairs.size;
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.broker.resetAndDestroy();
    }
    this.pairs.clear();
    return count;
  }

  /** End a partition: what was held is dropped with its connections, as TCP would after a long outage. */
  heal(): void {
    const wasBlackhole = this.faults.blackhole;
    this.faults = { latencyMs: 0, blackhole: false };
    if (wasBlackhole) this.resetAll();
  }

  private accept(client: Socket): void {
    const broker = connect(this.targetPort, this.host);
    const pair: Pair = { client, broker };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      broker.destroy();
    };
    client.on('error', close).on('close', close);
    broker.on('error', close).on('close', close);
    client.setNoDelay(true);
    broker.setNoDelay(true);
    broker.on('data', (chunk: Buffer) => {
      if (this.faults.blackhole) return;
      client.write(chunk);
    });
    const frames = new FrameReader();
    // client → broker frames go out in order, each after its own delay has passed
    let sending = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      if (this.faults.blackhole) return;
      for (const frame of frames.push(chunk)) {
        const delay = this.delayFor(frame);
        sending = sending.then(async () => {
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          if (!broker.destroyed && !this.faults.blackhole) broker.write(frame);
        });
      }
    });
  }

  private delayFor(frame: Buffer): number {
    const { latencyMs, delayApi } = this.faults;
    if (delayApi && frame.length >= 6 && delayApi.apiKeys.includes(frame.readInt16BE(4))) {
      this.delayedRequests++;
      return latencyMs + delayApi.ms;
    }
    return latencyMs;
  }
}

/** Splits a byte stream into Kafka frames (int32 size + payload). */
class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const frames: Buffer[] = [];
    while (this.buffer.length >= 4) {
      const size = this.buffer.readInt32BE(0);
      if (this.buffer.length < 4 + size) break;
      frames.push(this.buffer.subarray(0, 4 + size));
      this.buffer = this.buffer.subarray(4 + size);
    }
    return frames;
  }
}
