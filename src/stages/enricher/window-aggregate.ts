/**
 * What one entity's window remembers: enough for the window features, bounded by `maxDistinct`.
 * The sets exist only in feature windows (other windows only count), and only once they hold a value:
 * with 100,000 entities and a dozen open windows each, empty sets alone would cost hundreds of MB.
 */
export interface WindowAggregate {
  count: number;
  failures: number;
  bytes: number;
  destinations?: Set<string>;
  ports?: Set<string>;
  users?: Set<string>;
}

export interface WindowObservation {
  failed: boolean;
  bytes: number;
  destination: string | null;
  port: string | null;
  user: string | null;
}

export function emptyAggregate(): WindowAggregate {
  return { count: 0, failures: 0, bytes: 0 };
}

/** `maxDistinct` 0: count only. */
export function addToAggregate(agg: WindowAggregate, o: WindowObservation, maxDistinct: number): void {
  agg.count++;
  if (o.failed) agg.failures++;
  agg.bytes += o.bytes;
  if (maxDistinct === 0) return;
  agg.destinations = addBounded(agg.destinations, o.destination, maxDistinct);
  agg.ports = addBounded(agg.ports, o.port, maxDistinct);
  agg.users = addBounded(agg.users, o.user, maxDistinct);
}

function addBounded(set: Set<string> | undefined, value: string | null, max: number): Set<string> | undefined {
  if (value === null || value === '') return set;
  const target = set ?? new Set<string>();
  if (target.size < max) target.add(value);
  return target;
}

/** Adds `from` to `target`, whose sets are its own (never a pane's): they grow in place. */
export function mergeInto(target: WindowAggregate, from: WindowAggregate): void {
  target.count += from.count;
  target.failures += from.failures;
  target.bytes += from.bytes;
  target.destinations = union(target.destinations, from.destinations);
  target.ports = union(target.ports, from.ports);
  target.users = union(target.users, from.users);
}

function union(own: Set<string> | undefined, other: Set<string> | undefined): Set<string> | undefined {
  if (!other) return own;
  if (!own) return new Set(other);
  for (const value of other) own.add(value);
  return own;
}

export const distinctCount = (set: Set<string> | undefined): number => set?.size ?? 0;

/** The changelog form: sets as arrays. */
export type StoredAggregate = [count: number, failures: number, bytes: number, destinations: string[], ports: string[], users: string[]];

export function storeAggregate(a: WindowAggregate): StoredAggregate {
  return [a.count, a.failures, a.bytes, [...(a.destinations ?? [])], [...(a.ports ?? [])], [...(a.users ?? [])]];
}

export function loadAggregate([count, failures, bytes, destinations, ports, users]: StoredAggregate): WindowAggregate {
  const agg: WindowAggregate = { count, failures, bytes };
  if (destinations.length > 0) agg.destinations = new Set(destinations);
  if (ports.length > 0) agg.ports = new Set(ports);
  if (users.length > 0) agg.users = new Set(users);
  return agg;
}
