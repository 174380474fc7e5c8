import type { Topology } from '../../src/config/schema.js';
import type { LocalStack } from '../../src/dev/local-stack.js';
import { localTopology } from '../../src/dev/local-topology.js';

/**
 * Where the corpus's writers put their objects, in the s3-source's route syntax: AWS's own
 * layout for CloudTrail (a `Records` array per file) and VPC Flow Logs, and a Firehose-style
 * prefix per stream for syslog and CEF. The log types are topologies/default.yaml's.
 */
export const EVAL_ROUTES = [
  { match: 'AWSLogs/*/CloudTrail/**', logType: 'cloudtrail', framing: 'json-records' },
  { match: 'AWSLogs/*/vpcflowlogs/**', logType: 'vpcflow' },
  { match: 'syslog/**', logType: 'syslog' },
  { match: 'cef/**', logType: 'cef' },
];

/** topologies/default.yaml on the evaluation's stack with this run's names and the routes above; the enricher as configured there. */
export function evalTopology(stack: LocalStack, id: string): Topology {
  const topology = localTopology(stack, id, { enricher: { model: { watch: false } } });
  // replaced, not merged element by element (deepMerge merges arrays by index)
  return {
    ...topology,
    source: { ...topology.source, s3: { ...topology.source.s3, routes: EVAL_ROUTES as Topology['source']['s3']['routes'] } },
  };
}
