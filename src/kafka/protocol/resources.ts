import { KafkaProtocolError } from './errors.js';

/** The config resources this client reads and changes. */
export type ConfigResourceType = 'topic' | 'broker';

/** Kafka's ConfigResource.Type ids. */
export const RESOURCE_TYPE_ID: Record<ConfigResourceType, number> = { topic: 2, broker: 4 };

export function resourceTypeOf(id: number): ConfigResourceType | undefined {
  return id === RESOURCE_TYPE_ID.topic ? 'topic' : id === RESOURCE_TYPE_ID.broker ? 'broker' : undefined;
}

/** How a resource is named in an error message: `topic "t"`, `broker 1`, or the cluster-wide `broker defaults` (name ""). */
export function resourceLabel(type: ConfigResourceType, name: string): string {
  if (type === 'topic') return `topic "${name}"`;
  return name === '' ? 'broker defaults' : `broker ${name}`;
}

/**
 * A broker resource with a node id is answered only by that broker ("Unexpected broker id" from any
 * other), so such a request goes to that node; topics and the broker defaults go to any broker.
 */
export function targetNode(type: ConfigResourceType, name: string): number | undefined {
  if (type !== 'broker' || name === '') return undefined;
  const id = Number(name);
  if (!/^\d+$/.test(name) || !Number.isSafeInteger(id)) throw new Error(`a broker resource is named by its node id, not "${name}"`);
  return id;
}

/** A broker may answer resources in another order than asked (authorized ones first): match them by type and name. */
export function answersInOrder<A extends { typeId: number; name: string }>(
  address: string,
  asked: ReadonlyArray<{ type: ConfigResourceType; name: string }>,
  answers: readonly A[],
): A[] {
  return asked.map((resource) => {
    const answer = answers.find((a) => a.typeId === RESOURCE_TYPE_ID[resource.type] && a.name === resource.name);
    if (!answer)
      throw new KafkaProtocolError(`${address} did not answer for ${resourceLabel(resource.type, resource.name)}`, { retriable: false });
    return answer;
  });
}

/** Resources split by the node that must answer them (undefined: any broker), each with its positions in `resources`. */
export function groupByTarget<R extends { type: ConfigResourceType; name: string }>(
  resources: readonly R[],
): Array<{ node: number | undefined; resources: R[]; positions: number[] }> {
  const groups = new Map<number | undefined, { node: number | undefined; resources: R[]; positions: number[] }>();
  resources.forEach((resource, position) => {
    const node = targetNode(resource.type, resource.name);
    const group = groups.get(node) ?? { node, resources: [], positions: [] };
    group.resources.push(resource);
    group.positions.push(position);
    groups.set(node, group);
  });
  return [...groups.values()];
}
