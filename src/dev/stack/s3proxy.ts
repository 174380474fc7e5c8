import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchMaven } from './cache.js';
import { HOST, httpStatus } from './health.js';
import { stackPaths } from './process-files.js';
import type { ServiceDef, StackContext } from './service.js';

/** S3Proxy (jar-with-dependencies from Maven Central) over a local folder; runs on Java 17. */
export const S3PROXY_VERSION = '4.1.0';

export const S3_CREDENTIALS = { region: 'us-east-1', accessKeyId: 'siem-local', secretAccessKey: 'siem-local-secret' } as const;

export const s3Endpoint = (ctx: StackContext) => `http://${HOST}:${ctx.ports.s3}`;

export const s3Service: ServiceDef = {
  name: 's3',
  label: `S3Proxy ${S3PROXY_VERSION}`,
  javaMin: 17,
  startTimeoutMs: 60_000,
  units: (ctx) => [{ id: 's3', ports: [{ port: ctx.ports.s3, label: 'S3 (S3Proxy) HTTP' }] }],
  prepare: async (ctx) => {
    const lib = await fetchMaven(
      `s3proxy-${S3PROXY_VERSION}`,
      [{ coords: `org.gaul:s3proxy:${S3PROXY_VERSION}:jar:jar-with-dependencies`, alone: true }],
      ctx.progress,
    );
    const jar = readdirSync(lib).find((f) => f.endsWith('.jar'));
    if (!jar) throw new Error(`s3: no jar found in ${lib}`);
    const paths = stackPaths(ctx.home);
    const dataDir = join(paths.data, 's3');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(paths.conf, { recursive: true });
    const conf = join(paths.conf, 's3proxy.properties');
    // Path-style only: no s3proxy.virtual-host. aws-v2-or-v4 accepts every signature the AWS SDKs send.
    writeFileSync(
      conf,
      [
        `s3proxy.endpoint=${s3Endpoint(ctx)}`,
        's3proxy.authorization=aws-v2-or-v4',
        `s3proxy.identity=${S3_CREDENTIALS.accessKeyId}`,
        `s3proxy.credential=${S3_CREDENTIALS.secretAccessKey}`,
        'jclouds.provider=filesystem',
        `jclouds.filesystem.basedir=${dataDir}`,
        '',
      ].join('\n'),
    );
    const args = ['-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:+ExitOnOutOfMemoryError', '-jar', join(lib, jar), '--properties', conf];
    return new Map([['s3', args]]);
  },
  // Anonymous GET / answers 403 with an x-amz-request-id header once S3Proxy serves requests.
  healthy: async (ctx) => {
    const res = await httpStatus(`${s3Endpoint(ctx)}/`);
    return res?.headers.has('x-amz-request-id') === true;
  },
  endpoint: s3Endpoint,
};
