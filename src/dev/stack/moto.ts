import { HOST, httpStatus } from './health.js';
import { unitMarker } from './process-files.js';
import { findPython, pythonVenv } from './python.js';
import type { ServiceDef, StackContext } from './service.js';

/** moto's server mode: a real implementation of the AWS APIs (here: CloudWatch Logs), from PyPI. */
export const MOTO_VERSION = '5.2.6';

/** moto takes any credentials; these are the ones the local topologies use. */
export const CLOUDWATCH_CREDENTIALS = { region: 'us-east-1', accessKeyId: 'siem-local', secretAccessKey: 'siem-local-secret' } as const;

export const cloudwatchEndpoint = (ctx: StackContext) => `http://${HOST}:${ctx.ports.cloudwatch}`;

/** `python -c` takes its arguments after the code: the unit marker first, moto_server's own after it. */
const MOTO_MAIN = 'import sys; from moto.server import main; main(sys.argv[2:])';

export const cloudwatchService: ServiceDef = {
  name: 'cloudwatch',
  label: `moto ${MOTO_VERSION} (CloudWatch Logs)`,
  startTimeoutMs: 60_000,
  units: (ctx) => [{ id: 'cloudwatch', ports: [{ port: ctx.ports.cloudwatch, label: 'CloudWatch Logs (moto) HTTP' }] }],
  prepare: async (ctx) => {
    const purpose = `moto ${MOTO_VERSION} (the local CloudWatch Logs)`;
    const python = await pythonVenv(`moto-${MOTO_VERSION}`, [`moto[server]==${MOTO_VERSION}`], findPython([3, 9], purpose), ctx.progress);
    const args = ['-c', MOTO_MAIN, unitMarker(ctx.home, 'cloudwatch'), '-H', HOST, '-p', String(ctx.ports.cloudwatch)];
    return new Map([['cloudwatch', { program: python, args }]]);
  },
  // moto's dashboard answers 200 once the server takes requests
  healthy: async (ctx) => (await httpStatus(`${cloudwatchEndpoint(ctx)}/moto-api/`))?.status === 200,
  endpoint: cloudwatchEndpoint,
};
