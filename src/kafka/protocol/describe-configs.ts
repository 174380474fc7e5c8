import { API } from './apis.js';
import type { Decoder } from './codec.js';
import { brokerError, combineErrors } from './errors.js';
import { answersInOrder, type ConfigResourceType, RESOURCE_TYPE_ID, resourceLabel } from './resources.js';
import type { BrokerSession } from './session.js';

export interface DescribeConfigsResource {
  type: ConfigResourceType;
  /** a topic name; a broker's node id; "" for the cluster-wide broker defaults */
  name: string;
  /** the config names wanted; all of the resource's configs when absent */
  names?: string[];
}

/** Where a config's value comes from (Kafka's ConfigSource). */
export type ConfigSource =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG';

const CONFIG_SOURCES: readonly ConfigSource[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];

export interface ConfigEntry {
  name: string;
  /** null for a sensitive config (the broker does not send it) or one without a value */
  value: string | null;
  source: ConfigSource;
  /** Kafka's default, not set anywhere: source DEFAULT_CONFIG */
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
}

export interface ResourceConfigs {
  type: ConfigResourceType;
  name: string;
  configs: ConfigEntry[];
}

/** One DescribeConfigs request (v1-v4) for resources that one broker can answer; results in the order asked. */
export async function requestDescribeConfigs(session: BrokerSession, resources: DescribeConfigsResource[]): Promise<ResourceConfigs[]> {
  const results = await session.call(
    API.describeConfigs,
    (body, version) => {
      body.array(resources, (r) => {
        body.int8(RESOURCE_TYPE_ID[r.type]).string(r.name);
        body.nullableArray(r.names ?? null, (name) => body.string(name));
        body.taggedFields();
      });
      body.bool(false); // include_synonyms
      if (version >= 3) body.bool(false); // include_documentation
      body.taggedFields();
    },
    (body, version) => {
      body.int32(); // throttle time
      const answer = body.array(() => {
        const result = { errorCode: body.int16(), errorMessage: body.nullableString(), typeId: body.int8(), name: body.string() };
        const configs = body.array(() => readConfigEntry(body, version));
        body.taggedFields();
        return { ...result, configs };
      });
      body.taggedFields();
      return answer;
    },
  );
  const answers = answersInOrder(session.address, resources, results);
  const failure = combineErrors(
    answers.flatMap((answer, i) => {
      const asked = resources[i] as DescribeConfigsResource;
      return answer.errorCode === 0
        ? []
        : [brokerError(`describing the configs of ${resourceLabel(asked.type, asked.name)}`, answer.errorCode, answer.errorMessage)];
    }),
  );
  if (failure) throw failure;
  return answers.map((answer, i) => {
    const { type, name } = resources[i] as DescribeConfigsResource;
    return { type, name, configs: answer.configs };
  });
}

function readConfigEntry(body: Decoder, version: number): ConfigEntry {
  const name = body.string();
  const value = body.nullableString();
  const readOnly = body.bool();
  const source = CONFIG_SOURCES[body.int8()] ?? 'UNKNOWN';
  const sensitive = body.bool();
  body.array(() => {
    body.string(); // synonym name, value, source: not asked for
    body.nullableString();
    body.int8();
    body.taggedFields();
  });
  if (version >= 3) {
    body.int8(); // config type
    body.nullableString(); // documentation: not asked for
  }
  body.taggedFields();
  return { name, value, source, isDefault: source === 'DEFAULT_CONFIG', readOnly, sensitive };
}
