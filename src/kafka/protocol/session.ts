import { requestApiVersions } from './api-versions.js';
import { type ApiSpec, type BrokerApiVersions, chooseVersion } from './apis.js';
import type { Decoder, Encoder } from './codec.js';
import { BrokerConnection } from './connection.js';
import { KafkaProtocolError } from './errors.js';
import { authenticate } from './sasl.js';
import type { ClientSettings } from './settings.js';

/** A connection that knows the broker's API versions and has authenticated: ready for requests. */
export class BrokerSession {
  private constructor(
    private readonly connection: BrokerConnection,
    private readonly versions: BrokerApiVersions,
    private readonly maxVersions: ReadonlyMap<number, number> | undefined,
  ) {}

  static async open(settings: ClientSettings, broker: { host: string; port: number }): Promise<BrokerSession> {
    const { tls, clientId, connectionTimeoutMs, requestTimeoutMs } = settings; // not the credentials: they stay here
    const connection = await BrokerConnection.open({ ...broker, tls, clientId, connectionTimeoutMs, requestTimeoutMs });
    try {
      const session = new BrokerSession(connection, await requestApiVersions(connection), settings.maxVersions);
      if (settings.sasl) await authenticate(session, settings.sasl);
      return session;
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  get address(): string {
    return this.connection.address;
  }

  /** Sends `spec` at the highest version both sides speak; `write` and `read` get that version. */
  call<T>(spec: ApiSpec, write: (body: Encoder, version: number) => void, read: (body: Decoder, version: number) => T): Promise<T> {
    const version = chooseVersion(spec, this.versions, this.maxVersions?.get(spec.key));
    if (version === undefined) {
      const range = this.versions.get(spec.key);
      const theirs = range ? `versions ${range.min}-${range.max}` : 'no version';
      return Promise.reject(
        new KafkaProtocolError(
          `${this.address} supports ${theirs} of ${spec.name}, this client ${spec.minVersion}-${spec.maxVersion}: no version in common`,
          { retriable: false, kafkaError: 'UNSUPPORTED_VERSION' },
        ),
      );
    }
    return this.connection.call(
      spec,
      version,
      (body) => write(body, version),
      (body) => read(body, version),
    );
  }

  close(): void {
    this.connection.close();
  }
}
