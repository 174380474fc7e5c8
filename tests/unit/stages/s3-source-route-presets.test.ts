import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadTopology, parseTopology } from '../../../src/config/load.js';
import { compileRouter } from '../../../src/stages/s3-source/key-routes.js';
import { configError } from '../../support/config-error.js';

/** Keys as AWS writes them (the shapes of each service's documentation), with and without a prefix before AWSLogs/. */
const AWS_KEYS: Array<[string, { logType: string; framing: string } | undefined]> = [
  [
    'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz',
    { logType: 'cloudtrail', framing: 'json-records' },
  ],
  [
    'trails/prod/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2026/11/23/111122223333_CloudTrail_eu-west-1_20261123T0915Z_a1b2c3d4e5f6g7h8.json.gz',
    { logType: 'cloudtrail', framing: 'json-records' },
  ],
  [
    'AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/23/111122223333_CloudTrail-Insight_us-east-1_20261123T0915Z_a1b2c3d4e5f6g7h8.json.gz',
    { logType: 'cloudtrail', framing: 'json-records' },
  ],
  // digest files: skipped, whatever later routes say
  [
    'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz',
    undefined,
  ],
  [
    'trails/AWSLogs/o-exampleorgid/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z_backfill.json.gz',
    undefined,
  ],
  [
    'AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/02/14/123456789012_vpcflowlogs_us-east-1_fl-07f38b767c7cd46e3_20230214T0000Z_129a0cf7.log.gz',
    { logType: 'vpcflow', framing: 'lines' },
  ],
  [
    'flow/AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/02/14/09/123456789012_vpcflowlogs_us-east-1_fl-07f38b767c7cd46e3_20230214T0905Z_129a0cf7.log.gz',
    { logType: 'vpcflow', framing: 'lines' },
  ],
  [
    'AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2023/month=02/day=14/123456789012_vpcflowlogs_us-east-1_fl-07f38b767c7cd46e3_20230214T0000Z_129a0cf7.log.gz',
    { logType: 'vpcflow', framing: 'lines' },
  ],
  // Parquet flow logs are not read
  [
    'AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/02/14/123456789012_vpcflowlogs_us-east-1_fl-07f38b767c7cd46e3_20230214T0000Z_129a0cf7.log.parquet',
    undefined,
  ],
  [
    'lb/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2026/11/23/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20261123T2340Z_172.160.001.192_20sg8hgm.log.gz',
    { logType: 'alb', framing: 'lines' },
  ],
  [
    'AWSLogs/123456789012/elasticloadbalancing/us-west-2/2014/02/15/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log',
    { logType: 'alb', framing: 'lines' },
  ],
  // ALB connection logs and NLB TLS logs have other formats: not routed to alb
  [
    'AWSLogs/123456789012/elasticloadbalancing/us-east-2/2026/11/23/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_20261123T2340Z_172.160.001.192_20sg8hgm.log.gz',
    undefined,
  ],
  [
    'AWSLogs/012345678910/elasticloadbalancing/us-east-1/2022/09/23/012345678910_elasticloadbalancing_us-east-1_net.k8s-podinfo-352ef7564b.809b86b470cfa0ff_20220927T1715Z_bbb0861d.log.gz',
    undefined,
  ],
  [
    'AWSLogs/123456789012/GuardDuty/us-east-1/2024/05/30/07a3f2ce-1485-3031-b842-e1f324c4a48d.jsonl.gz',
    { logType: 'guardduty', framing: 'lines' },
  ],
  [
    'guardduty/AWSLogs/123456789016/GuardDuty/eu-central-1/2023/04/08/ec7b0b8c-5ec8-32ec-8e77-c738515b4f6f.jsonl.gz',
    { logType: 'guardduty', framing: 'lines' },
  ],
  [
    'AWSLogs/11111111111/WAFLogs/us-east-1/TEST-WEBACL/2021/10/28/19/50/11111111111_waflogs_us-east-1_TEST-WEBACL_20211028T1950Z_e0ca43b5.log.gz',
    { logType: 'waf', framing: 'lines' },
  ],
  [
    'edge/AWSLogs/111122223333/WAFLogs/cloudfront/site-acl/2026/11/23/09/15/111122223333_waflogs_cloudfront_site-acl_20261123T0915Z_0a1b2c3d.log.gz',
    { logType: 'waf', framing: 'lines' },
  ],
  // S3 server access logs (no target prefix in the default topology): simple and partitioned key formats
  ['2026-11-23-09-15-02-E568B2907131C0C0', { logType: 's3access', framing: 'lines' }],
  ['111122223333/us-east-1/my-bucket/2026/11/23/2026-11-23-00-00-00-E568B2907131C0C0', { logType: 's3access', framing: 'lines' }],
  // the local demo's routes keep working, and nothing else is read
  ['firewall/2026/11/23/fw-1.log.gz', { logType: 'firewall', framing: 'lines' }],
  ['auth/2026/11/23/auth-1.log', { logType: 'auth', framing: 'lines' }],
  ['AWSLogs/123456789012/Config/us-east-1/ConfigWritabilityCheckFile', undefined],
  ['notes/readme.txt', undefined],
];

function defaultRouter() {
  const s3 = loadTopology('topologies/default.yaml', { env: {} }).source.s3;
  return compileRouter(s3.routes, s3.ignore);
}

const rawDefault = () => parse(readFileSync('topologies/default.yaml', 'utf8')) as { source: { s3: Record<string, unknown> } };

describe('AWS route presets in the default topology', () => {
  const route = defaultRouter();
  it.each(AWS_KEYS)('%s', (key, expected) => {
    expect(route(key)).toEqual(expected);
  });
});

describe('route preset entries', () => {
  const withRoutes = (routes: unknown[], ignore?: string[]) => {
    const raw = rawDefault();
    raw.source.s3.routes = routes;
    if (ignore) raw.source.s3.ignore = ignore;
    const s3 = parseTopology(raw, 't', {}).source.s3;
    return { s3, route: compileRouter(s3.routes, s3.ignore) };
  };

  it('skips CloudTrail digest files even when a later route would take them', () => {
    const { route } = withRoutes([{ preset: 'cloudtrail' }, { match: '**/*.json.gz', logType: 'guardduty' }]);
    expect(
      route('AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/23/1_CloudTrail-Digest_us-east-1_t_us-east-1_20261123T090000Z.json.gz'),
    ).toBeUndefined();
    expect(route('other/x.json.gz')).toEqual({ logType: 'guardduty', framing: 'lines' });
  });

  it('narrows AWSLogs layouts to a prefix, and takes the S3 access logs target prefix as written', () => {
    const { route } = withRoutes([
      { preset: 'vpcflow', prefix: 'network' },
      { preset: 's3-access', prefix: 'access-logs/bucket-a-' },
    ]);
    const flow = 'AWSLogs/1/vpcflowlogs/us-east-1/2026/11/23/1_vpcflowlogs_us-east-1_fl-1_20261123T0000Z_h.log.gz';
    expect(route(`network/${flow}`)?.logType).toBe('vpcflow');
    expect(route(flow)).toBeUndefined();
    expect(route(`other/${flow}`)).toBeUndefined();
    expect(route('access-logs/bucket-a-2026-11-23-09-15-02-E568B2907131C0C0')?.logType).toBe('s3access');
    expect(route('access-logs/2026-11-23-09-15-02-E568B2907131C0C0')).toBeUndefined();
  });

  it('sends a preset to another log type, keeps its place in the first-match order, and adds user ignore globs', () => {
    const { s3, route } = withRoutes(
      [
        { match: 'AWSLogs/1/WAFLogs/**', logType: 'firewall' },
        { preset: 'waf', logType: 'nginx' },
      ],
      ['**/tmp/**'],
    );
    expect(s3.routes.map((r) => r.logType)).toEqual(['firewall', 'nginx']);
    expect(route('AWSLogs/1/WAFLogs/us-east-1/acl/2026/11/23/09/15/1_waflogs_us-east-1_acl_20261123T0915Z_h.log.gz')?.logType).toBe(
      'firewall',
    );
    expect(route('AWSLogs/2/WAFLogs/us-east-1/acl/2026/11/23/09/15/2_waflogs_us-east-1_acl_20261123T0915Z_h.log.gz')?.logType).toBe(
      'nginx',
    );
    expect(route('AWSLogs/2/tmp/WAFLogs/us-east-1/acl/2026/11/23/09/15/2_waflogs_us-east-1_acl_20261123T0915Z_h.log.gz')).toBeUndefined();
  });

  it('names the entry the user wrote when a preset or a route is wrong', () => {
    const raw = rawDefault();
    raw.source.s3.routes = [{ match: 'a/**', logType: 'firewall' }, { preset: 'cloudtrial' }];
    expect(configError(() => parseTopology(raw, 't', {})).message).toMatch(
      /source\.s3\.routes\.1\.preset: Invalid enum value.*'cloudtrail'/,
    );
    raw.source.s3.routes = [{ match: 'a/**' }];
    expect(configError(() => parseTopology(raw, 't', {})).message).toContain('source.s3.routes.0.logType: Required');
    const noWaf = parse(readFileSync('topologies/default.yaml', 'utf8')) as { logTypes: Record<string, unknown> };
    delete noWaf.logTypes.waf;
    expect(configError(() => parseTopology(noWaf, 't', {})).message).toContain(
      'source.s3.routes.6.preset: preset "waf" writes to log type "waf", which is not declared',
    );
  });

  it('loads back from its own parsed form (a parsed topology written out is a valid topology)', () => {
    const parsed = loadTopology('topologies/default.yaml', { env: {} });
    expect(parseTopology(JSON.parse(JSON.stringify(parsed)), 'again', {}).source.s3).toEqual(parsed.source.s3);
  });
});
