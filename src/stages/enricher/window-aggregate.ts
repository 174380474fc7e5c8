/** What one entity's window remembers: enough for the window features, bounded by `maxDistinct`. */
export interface WindowAggregate {
  count: number;
  failures: number;
  bytes: number;
  destinations: Set<string>;
  ports: Set<string>;
  users: Set<string>;
}

export interface WindowObservation {
  failed: boolean;
  bytes: number;
  destination: string | null;
  port: string | null;
  user: string | null;
}

export function emptyAggregate(): WindowAggregate {
  return { count: 0, failures: 0, bytes: 0, destinations: new Set(), ports: new Set(), users: new Set() };
}

export function addToAggregate(agg: WindowAggregate, o: WindowObservation, maxDistinct: number): void {
  agg.count++;
  if (o.failed) agg.failures++;
  agg.bytes += o.bytes;
  addBounded(agg.destinations, o.destination, maxDistinct);
  addBounded(agg.ports, o.port, maxDistinct);
  addBounded(agg.users, o.user, maxDistinct);
}

function addBounded(set: Set<string>, value: string | null, max: number): void {
  if (value !== null && value !== '' && set.size < max) set.add(value);
}

/** The changelog form: sets as arrays. */
export type StoredAggregate = [count: number, failures: number, bytes: number, destinations: string[], ports: string[], users: string[]];

export function storeAggregate(a: WindowAggregate): StoredAggregate {
  return [a.count, a.failures, a.bytes, [...a.destinations], [...a.ports], [...a.users]];
}

export function loadAggregate([count, failures, bytes, destinations, ports, users]: StoredAggregate): WindowAggregate {
  return { count, failures, bytes, destinations: new Set(destinations), ports: new Set(ports), users: new Set(users) };
}
