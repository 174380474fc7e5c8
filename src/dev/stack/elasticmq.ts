import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchMaven } from './cache.js';
import { HOST, httpStatus } from './health.js';
import { stackPaths } from './process-files.js';
import type { ServiceDef, StackContext } from './service.js';

/** ElasticMQ, an SQS-compatible server (in-memory queues). */
export const ELASTICMQ_VERSION = '1.7.1';

export const sqsEndpoint = (ctx: StackContext) => `http://${HOST}:${ctx.ports.sqs}`;

export const sqsService: ServiceDef = {
  name: 'sqs',
  label: `ElasticMQ ${ELASTICMQ_VERSION}`,
  javaMin: 17,
  startTimeoutMs: 60_000,
  units: (ctx) => [{ id: 'sqs', ports: [{ port: ctx.ports.sqs, label: 'SQS (ElasticMQ) HTTP' }] }],
  prepare: async (ctx) => {
    const lib = await fetchMaven(
      `elasticmq-${ELASTICMQ_VERSION}`,
      [{ coords: `org.elasticmq:elasticmq-server_2.13:${ELASTICMQ_VERSION}` }],
      ctx.progress,
    );
    const paths = stackPaths(ctx.home);
    mkdirSync(paths.conf, { recursive: true });
    const conf = join(paths.conf, 'elasticmq.conf');
    const port = ctx.ports.sqs;
    writeFileSync(
      conf,
      `include classpath("application.conf")
node-address { protocol = http, host = "${HOST}", port = ${port}, context-path = "" }
rest-sqs { enabled = true, bind-port = ${port}, bind-hostname = "${HOST}", sqs-limits = strict }
rest-stats { enabled = false }
generate-node-address = false
aws { region = "${'us-east-1'}", accountId = "000000000000" }
`,
    );
    const args = [
      '-Xms32m',
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-XX:+ExitOnOutOfMemoryError',
      `-Dconfig.file=${conf}`,
      '-cp',
      join(lib, '*'),
      'org.elasticmq.server.Main',
    ];
    return new Map([['sqs', args]]);
  },
  healthy: async (ctx) => (await httpStatus(`${sqsEndpoint(ctx)}/?Action=ListQueues`))?.status === 200,
  endpoint: sqsEndpoint,
};
