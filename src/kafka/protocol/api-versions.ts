import { API, type BrokerApiVersions } from './apis.js';
import type { BrokerConnection } from './connection.js';
import { brokerError } from './errors.js';

/** ApiVersions v0: an empty request; the answer lists each API key with its version range. */
export async function requestApiVersions(connection: BrokerConnection): Promise<BrokerApiVersions> {
  return connection.call(
    API.apiVersions,
    0,
    () => {},
    (body) => {
      const errorCode = body.int16();
      const ranges = body.array(() => ({ key: body.int16(), min: body.int16(), max: body.int16() }));
      if (errorCode !== 0) throw brokerError(`asking ${connection.address} for its API versions`, errorCode);
      return new Map(ranges.map((r) => [r.key, { min: r.min, max: r.max }]));
    },
  );
}
