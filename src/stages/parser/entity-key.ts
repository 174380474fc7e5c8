import type { EventSchemaName, MappableField } from '../../schemas/events.js';
import type { EventFields } from './formats/types.js';

/**
 * The entity an event is windowed on becomes its Kafka key, so one entity's events meet in one
 * enricher partition: `<Field>:<value>` of the first present field. Events with none of them are
 * keyed by their S3 object (`none:<bucket/key>`), which spreads them without inventing an entity.
 */
export function entityKey(fields: EventFields, order: readonly MappableField[], objectId: string): string {
  for (const name of order) {
    const value = fields[name];
    if (value !== null && value !== undefined && value !== '') return `${name}:${value}`;
  }
  return `none:${objectId}`;
}

export function entityKeyOrder(schema: EventSchemaName, keys: Record<EventSchemaName, MappableField[]>, override?: MappableField[]) {
  return override ?? keys[schema];
}
