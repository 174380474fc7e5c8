import { createHash } from 'node:crypto';

/**
 * A deterministic event id from the raw record's Kafka coordinates: the same input record
 * always yields the same id, so a redelivery downstream is recognisable. Formatted as a UUID
 * (version nibble 8, "custom") because Sentinel users join on GUID-shaped ids.
 */
export function deterministicEventId(topic: string, partition: number, offset: string): string {
  const hex = createHash('sha256').update(`${topic}\u0000${partition}\u0000${offset}`).digest('hex');
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
