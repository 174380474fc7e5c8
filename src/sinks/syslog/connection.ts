import { readFileSync } from 'node:fs';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { SyslogSinkConfig } from './config.js';

/**
 * One stream connection to the receiver, opened on first use and again after it broke. A peer
 * that closed (receiver restart) is noticed from its FIN before the next write, so that write
 * goes to a fresh connection instead of into a socket the peer will reset.
 */
export class SyslogConnection {
  private socket: Socket | undefined;
  private readonly tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };

  constructor(private readonly config: SyslogSinkConfig) {
    const t = config.tls;
    this.tls = {
      ...(t.caFile ? { ca: readFileSync(t.caFile) } : {}),
      ...(t.certFile ? { cert: readFileSync(t.certFile) } : {}),
      ...(t.keyFile ? { key: readFileSync(t.keyFile) } : {}),
    };
  }

  async write(data: Buffer, signal: AbortSignal): Promise<void> {
    const socket = await this.open(signal);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.write(data, (error) => {
        socket.off('error', onError);
        if (error) reject(error);
        else resolve();
      });
    }).catch((error: unknown) => {
      this.reset();
      throw error;
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2_000).unref();
    });
  }

  private reset(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private open(signal: AbortSignal): Promise<Socket> {
    if (this.socket && !this.socket.destroyed && this.socket.writable && !this.socket.readableEnded) return Promise.resolve(this.socket);
    this.reset();
    const { host, port, connectTimeoutMs } = this.config;
    return new Promise<Socket>((resolve, reject) => {
      const socket =
        this.config.transport === 'tls'
          ? tlsConnect({
              host,
              port,
              // SNI carries names only; an IP address is still checked against the certificate
              ...(this.config.tls.serverName || !isIP(host) ? { servername: this.config.tls.serverName ?? host } : {}),
              rejectUnauthorized: this.config.tls.rejectUnauthorized,
              ...this.tls,
            })
          : netConnect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error(`connecting to ${host}:${port} timed out after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      const abort = () => socket.destroy(new Error('sink stopping'));
      signal.addEventListener('abort', abort, { once: true });
      socket.once(this.config.transport === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        socket.off('error', reject);
        socket.setKeepAlive(true, 30_000);
        // the receiver sends nothing; reading keeps 'end' (its FIN) observable
        socket.on('data', () => {});
        socket.on('end', () => socket.destroy());
        socket.on('error', () => socket.destroy());
        this.socket = socket;
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', abort);
        reject(error);
      });
    });
  }
}
