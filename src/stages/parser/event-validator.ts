import avro from 'avsc';
import { SiemStreamError } from '../../errors.js';
import { loadSchema } from '../../schemas/catalog.js';
import type { NormalizedEvent } from '../../schemas/events.js';

const normalizedType = avro.Type.forSchema(loadSchema('normalized') as avro.Schema);

/**
 * Checks an event against the Avro schema before it is encoded, so a value the schema cannot
 * hold (an unsafe integer, a lone surrogate is fine, a wrong type is not) is the record's fault
 * and goes to the DLQ instead of failing the encoder — which would otherwise retry the chunk forever.
 */
export function assertEncodable(event: NormalizedEvent): void {
  const problems: string[] = [];
  const valid = normalizedType.isValid(event, {
    errorHook: (path, value) => problems.push(`${path.join('.')}=${JSON.stringify(value)?.slice(0, 80)}`),
  });
  if (!valid) {
    throw new SiemStreamError('SCHEMA_MISMATCH', `event does not fit the normalized schema: ${problems.slice(0, 5).join(', ')}`, {
      stage: 'parser',
    });
  }
}
