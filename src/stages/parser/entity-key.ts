import type { EventSchemaName } from '../../config/schema.js';
import type { MappableField } from '../../schemas/events.js';
import type { ParsedFields } from './json-format.js';

/** The entity an event is windowed on; it becomes the Kafka key so one entity meets one enricher partition. */
const ENTITY_FIELDS: Record<EventSchemaName, MappableField[]> = {
  NetworkSession: ['SrcIpAddr'],
  Authentication: ['ActorUsername', 'TargetUsername', 'SrcIpAddr'],
  AuditEvent: ['ActorUsername', 'SrcIpAddr'],
  Event: ['SrcIpAddr', 'ActorUsername'],
};

export function entityKey(schema: EventSchemaName, fields: ParsedFields): string {
  for (const name of ENTITY_FIELDS[schema]) {
    const value = fields[name];
    if (value !== null && value !== undefined && value !== '') return `${name}:${value}`;
  }
  return 'unknown';
}
