import { API } from './apis.js';
import { brokerError, combineErrors } from './errors.js';
import { answersInOrder, type ConfigResourceType, RESOURCE_TYPE_ID, resourceLabel } from './resources.js';
import type { BrokerSession } from './session.js';

export interface AlterConfigsResource {
  type: ConfigResourceType;
  /** a topic name; a broker's node id; "" for the cluster-wide broker defaults */
  name: string;
  /** configs to set to these values */
  set?: Record<string, string>;
  /** configs to remove, so the default applies again */
  delete?: string[];
}

const OPERATION = { set: 0, delete: 1 } as const;

/**
 * One IncrementalAlterConfigs request (v0-v1): only the configs named change, unlike the old
 * AlterConfigs, which replaced all of a resource's dynamic configs.
 */
export async function requestAlterConfigs(session: BrokerSession, resources: AlterConfigsResource[], validateOnly: boolean): Promise<void> {
  const results = await session.call(
    API.incrementalAlterConfigs,
    (body) => {
      body.array(resources, (r) => {
        body.int8(RESOURCE_TYPE_ID[r.type]).string(r.name);
        const operations = [
          ...Object.entries(r.set ?? {}).map(([name, value]) => ({ name, op: OPERATION.set, value })),
          ...(r.delete ?? []).map((name) => ({ name, op: OPERATION.delete, value: null })),
        ];
        body.array(operations, (o) => body.string(o.name).int8(o.op).nullableString(o.value).taggedFields());
        body.taggedFields();
      });
      body.bool(validateOnly);
      body.taggedFields();
    },
    (body) => {
      body.int32(); // throttle time
      const answer = body.array(() => {
        const result = { errorCode: body.int16(), errorMessage: body.nullableString(), typeId: body.int8(), name: body.string() };
        body.taggedFields();
        return result;
      });
      body.taggedFields();
      return answer;
    },
  );
  const failure = combineErrors(
    answersInOrder(session.address, resources, results).flatMap((answer, i) => {
      const asked = resources[i] as AlterConfigsResource;
      return answer.errorCode === 0
        ? []
        : [brokerError(`altering the configs of ${resourceLabel(asked.type, asked.name)}`, answer.errorCode, answer.errorMessage)];
    }),
  );
  if (failure) throw failure;
}
