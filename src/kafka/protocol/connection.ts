import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type ApiSpec, hasFlexibleResponseHeader, isFlexible } from './apis.js';
import { Decoder, Encoder, MalformedResponseError } from './codec.js';
import { KafkaProtocolError } from './errors.js';
import { correlationIdOf, encodeRequest, FrameReader, responseBody } from './frame.js';
import type { TlsSettings } from './settings.js';

export interface ConnectionOptions {
  host: string;
  port: number;
  tls?: TlsSettings;
  clientId: string;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

interface InFlight {
  resolve: (frame: Buffer) => void;
  reject: (error: Error) => void;
}

/** One TCP or TLS connection to one broker: sends requests, matches responses by correlation id. */
export class BrokerConnection {
  private readonly frames = new FrameReader();
  private readonly inFlight = new Map<number, InFlight>();
  private nextCorrelationId = 0;
  private failure: KafkaProtocolError | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly address: string,
    private readonly options: ConnectionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(connectionError(`the connection to ${address}`, error)));
    socket.on('close', () => this.fail(new KafkaProtocolError(`the connection to ${address} closed`, { retriable: true })));
  }

  static open(options: ConnectionOptions): Promise<BrokerConnection> {
    const { host, port, tls } = options;
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = tls ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ...tls }) : tcpConnect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KafkaProtocolError(`connecting to ${address} timed out after ${options.connectionTimeoutMs} ms`, { retriable: true }));
      }, options.connectionTimeoutMs);
      const onError = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(connectionError(`connecting to ${address}`, error));
      };
      socket.once('error', onError);
      socket.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new BrokerConnection(socket, address, options));
      });
    });
  }

  /** Sends one request of `spec` at `version` and reads its response body, all of it. */
  async call<T>(spec: ApiSpec, version: number, writeBody: (body: Encoder) => void, readBody: (body: Decoder) => T): Promise<T> {
    const flexible = isFlexible(spec, version);
    const body = new Encoder(flexible);
    writeBody(body);
    const frame = await this.send(spec, version, body.finish());
    try {
      const decoder = new Decoder(responseBody(frame, hasFlexibleResponseHeader(spec, version)), flexible);
      const result = readBody(decoder);
      decoder.end();
      return result;
    } catch (error) {
      if (!(error instanceof MalformedResponseError)) throw error;
      throw new KafkaProtocolError(`the ${spec.name} v${version} response from ${this.address} is malformed: ${error.message}`, {
        retriable: false,
        cause: error,
      });
    }
  }

  close(): void {
    this.fail(new KafkaProtocolError(`the connection to ${this.address} was closed by this client`, { retriable: true }));
  }

  private send(spec: ApiSpec, version: number, body: Buffer): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId++;
    const request = encodeRequest(
      { apiKey: spec.key, apiVersion: version, correlationId, clientId: this.options.clientId, flexible: isFlexible(spec, version) },
      body,
    );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.inFlight.delete(correlationId);
        reject(
          new KafkaProtocolError(`${spec.name} v${version} to ${this.address} timed out after ${this.options.requestTimeoutMs} ms`, {
            retriable: true,
          }),
        );
        this.close(); // a late answer would arrive on a connection nobody reads in order any more
      }, this.options.requestTimeoutMs);
      this.inFlight.set(correlationId, {
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(request);
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.frames.push(chunk);
    } catch (error) {
      this.fail(new KafkaProtocolError(`${this.address} sent an unreadable response: ${(error as Error).message}`, { retriable: false }));
      return;
    }
    for (const frame of frames) {
      const id = correlationIdOf(frame);
      const waiting = this.inFlight.get(id);
      this.inFlight.delete(id);
      waiting?.resolve(frame);
    }
  }

  private fail(error: KafkaProtocolError): void {
    this.failure ??= error;
    for (const waiting of this.inFlight.values()) waiting.reject(this.failure);
    this.inFlight.clear();
    this.socket.destroy();
  }
}

/** A refused or reset connection is worth another try (or another broker); a certificate that is not trusted is not. */
function connectionError(what: string, error: Error): KafkaProtocolError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const certificate = /CERT|SELF_SIGNED|VERIFY|ALTNAME/.test(code);
  // the broker's alert: it wants a client certificate (mutual TLS) and got none, or none it trusts
  const hint = /ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN)/.test(code)
    ? ' (the broker refused the TLS handshake: it requires a client certificate it trusts; set kafka.ssl.certFile and kafka.ssl.keyFile)'
    : '';
  return new KafkaProtocolError(`${what} failed: ${error.message.trim()}${hint}`, { retriable: !certificate, cause: error });
}
