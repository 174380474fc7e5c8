import type { Entities } from './entities.js';
import type { Prng } from './prng.js';

/** What the evaluation knows about one CloudTrail call; the builder turns it into a 1–3 KB record. */
export interface ApiCall {
  time: number;
  account: string;
  region: string;
  source: string;
  name: string;
  readOnly: boolean;
  actor: { kind: 'user'; name: string } | { kind: 'role'; name: string };
  ip: string;
  errorCode?: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: Array<{ ARN: string; accountId: string; type: string }>;
}

/** Normal management-plane calls: [eventSource, eventName, readOnly, weight]. */
const NORMAL_CALLS: Array<[string, string, boolean, number]> = [
  ['ec2.amazonaws.com', 'DescribeInstances', true, 12],
  ['ec2.amazonaws.com', 'DescribeSecurityGroups', true, 5],
  ['ec2.amazonaws.com', 'DescribeVolumes', true, 4],
  ['ec2.amazonaws.com', 'DescribeNetworkInterfaces', true, 3],
  ['sts.amazonaws.com', 'AssumeRole', false, 14],
  ['sts.amazonaws.com', 'GetCallerIdentity', true, 7],
  ['kms.amazonaws.com', 'Decrypt', false, 10],
  ['kms.amazonaws.com', 'GenerateDataKey', false, 6],
  ['s3.amazonaws.com', 'ListBuckets', true, 3],
  ['s3.amazonaws.com', 'GetBucketLocation', true, 4],
  ['s3.amazonaws.com', 'GetBucketAcl', true, 2],
  ['iam.amazonaws.com', 'GetRole', true, 3],
  ['iam.amazonaws.com', 'ListRoles', true, 2],
  ['iam.amazonaws.com', 'GetUser', true, 1.5],
  ['logs.amazonaws.com', 'CreateLogStream', false, 5],
  ['monitoring.amazonaws.com', 'GetMetricData', true, 4],
  ['ssm.amazonaws.com', 'GetParameter', true, 5],
  ['ecr.amazonaws.com', 'GetAuthorizationToken', true, 4],
  ['ecr.amazonaws.com', 'BatchGetImage', true, 3],
  ['ec2.amazonaws.com', 'CreateTags', false, 2],
  ['ec2.amazonaws.com', 'RunInstances', false, 0.8],
  ['ec2.amazonaws.com', 'TerminateInstances', false, 0.8],
  ['ec2.amazonaws.com', 'CreateSnapshot', false, 0.5],
  ['ec2.amazonaws.com', 'DeleteSnapshot', false, 0.5],
  ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', false, 0.4],
  ['ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', false, 0.2],
  ['signin.amazonaws.com', 'ConsoleLogin', false, 0.8],
  // an infrastructure pipeline changes a bucket policy now and then: a destructive-looking call that is normal
  ['s3.amazonaws.com', 'PutBucketPolicy', false, 0.05],
];
const NORMAL_TOTAL = NORMAL_CALLS.reduce((n, c) => n + c[3], 0);

/** Rare, destructive or persistence calls an intruder makes: [eventSource, eventName, resource type]. */
export const DESTRUCTIVE_CALLS: Array<[string, string, string]> = [
  ['cloudtrail.amazonaws.com', 'DeleteTrail', 'AWS::CloudTrail::Trail'],
  ['cloudtrail.amazonaws.com', 'StopLogging', 'AWS::CloudTrail::Trail'],
  ['iam.amazonaws.com', 'CreateAccessKey', 'AWS::IAM::AccessKey'],
  ['s3.amazonaws.com', 'DeleteBucket', 'AWS::S3::Bucket'],
  ['s3.amazonaws.com', 'PutBucketPolicy', 'AWS::S3::Bucket'],
  ['kms.amazonaws.com', 'DisableKey', 'AWS::KMS::Key'],
  ['kms.amazonaws.com', 'ScheduleKeyDeletion', 'AWS::KMS::Key'],
  ['ec2.amazonaws.com', 'DeleteFlowLogs', 'AWS::EC2::FlowLog'],
  ['guardduty.amazonaws.com', 'DeleteDetector', 'AWS::GuardDuty::Detector'],
  ['iam.amazonaws.com', 'AttachUserPolicy', 'AWS::IAM::User'],
  ['config.amazonaws.com', 'StopConfigurationRecorder', 'AWS::Config::ConfigurationRecorder'],
];

const AGENTS = [
  'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#ec2.describe-instances',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69',
  'aws-sdk-go-v2/1.26.1 ua/2.0 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/sts#1.28.6 m/E,Z exec-env/AWS_ECS_FARGATE cfg/retry-mode#standard app/inventory-sync',
  'terraform-provider-aws/5.45.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.51.21 (go1.22.2; linux; amd64) HashiCorp Terraform/1.8.1',
  'console.amazonaws.com',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
];

export function normalApiCall(random: Prng, e: Entities, time: number, account: string, region: string): ApiCall {
  let u = random.float() * NORMAL_TOTAL;
  let call = NORMAL_CALLS[0] as (typeof NORMAL_CALLS)[number];
  for (const c of NORMAL_CALLS) {
    u -= c[3];
    if (u <= 0) {
      call = c;
      break;
    }
  }
  const [source, name, readOnly] = call;
  const byRole = name !== 'ConsoleLogin' && random.chance(0.55);
  const actor = byRole
    ? ({ kind: 'role', name: random.pick(e.roles) } as const)
    : ({ kind: 'user', name: e.users[e.userActivity.draw(random)] as string } as const);
  const ip = byRole ? (e.hosts[e.hostActivity.draw(random)] as string) : `198.51.100.${random.int(2, 250)}`;
  const failed = readOnly && random.chance(0.02);
  return {
    time,
    account,
    region,
    source,
    name,
    readOnly,
    actor,
    ip,
    ...(failed ? { errorCode: random.pick(['AccessDenied', 'ThrottlingException', 'Client.UnauthorizedOperation']) } : {}),
    requestParameters: requestParametersOf(random, name, account, region),
    responseElements: name === 'ConsoleLogin' ? { ConsoleLogin: 'Success' } : responseElementsOf(random, name, account),
    ...resourcesOf(random, source, account, region),
  };
}

/** CloudTrail names the resource of S3, KMS, SSM and IAM calls in `resources`. */
function resourcesOf(random: Prng, source: string, account: string, region: string): Pick<ApiCall, 'resources'> {
  const service = source.split('.')[0] as string;
  const arn: Record<string, () => [string, string]> = {
    s3: () => [`arn:aws:s3:::data-${random.pick(['raw', 'curated', 'exports', 'logs'])}-${random.hex(6)}`, 'AWS::S3::Bucket'],
    kms: () => [`arn:aws:kms:${region}:${account}:key/${random.uuid()}`, 'AWS::KMS::Key'],
    ssm: () => [`arn:aws:ssm:${region}:${account}:parameter/app/${random.pick(['db', 'api', 'cache'])}`, 'AWS::SSM::Parameter'],
    iam: () => [`arn:aws:iam::${account}:role/${random.pick(['deploy', 'read-only', 'etl', 'eks-node'])}`, 'AWS::IAM::Role'],
  };
  const make = arn[service];
  if (!make) return {};
  const [ARN, type] = make();
  return { resources: [{ ARN, accountId: account, type }] };
}

export function destructiveApiCall(random: Prng, time: number, account: string, region: string, actor: string, ip: string): ApiCall {
  const [source, name, type] = random.pick(DESTRUCTIVE_CALLS);
  const resourceName = `${random.pick(['prod', 'audit', 'org', 'security', 'finance'])}-${random.hex(6)}`;
  return {
    time,
    account,
    region,
    source,
    name,
    readOnly: false,
    actor: { kind: 'user', name: actor },
    ip,
    requestParameters: { name: resourceName, ...(name === 'CreateAccessKey' ? { userName: actor } : {}) },
    responseElements:
      name === 'CreateAccessKey'
        ? { accessKey: { accessKeyId: `AKIA${random.hex(16).toUpperCase()}`, status: 'Active', userName: actor } }
        : null,
    resources: [{ ARN: `arn:aws:${source.split('.')[0]}:${region}:${account}:${resourceName}`, accountId: account, type }],
  };
}

/** A failed console sign-in (brute force) as CloudTrail writes it. */
export function failedConsoleLogin(time: number, account: string, region: string, user: string, ip: string): ApiCall {
  return {
    time,
    account,
    region,
    source: 'signin.amazonaws.com',
    name: 'ConsoleLogin',
    readOnly: false,
    actor: { kind: 'user', name: user },
    ip,
    errorCode: undefined,
    responseElements: { ConsoleLogin: 'Failure' },
  };
}

/** Turns a call into the record CloudTrail writes into a log file's Records array. */
export function cloudTrailRecord(random: Prng, call: ApiCall): Record<string, unknown> {
  const signIn = call.name === 'ConsoleLogin';
  const arnOf = (c: ApiCall) =>
    c.actor.kind === 'user'
      ? `arn:aws:iam::${c.account}:user/${c.actor.name}`
      : `arn:aws:sts::${c.account}:assumed-role/${c.actor.name}/${random.hex(8)}`;
  const userIdentity =
    call.actor.kind === 'user'
      ? {
          type: 'IAMUser',
          principalId: `AIDA${random.hex(17).toUpperCase()}`,
          arn: arnOf(call),
          accountId: call.account,
          ...(signIn ? {} : { accessKeyId: `AKIA${random.hex(16).toUpperCase()}` }),
          userName: call.actor.name,
        }
      : {
          type: 'AssumedRole',
          principalId: `AROA${random.hex(17).toUpperCase()}:${random.hex(8)}`,
          arn: arnOf(call),
          accountId: call.account,
          accessKeyId: `ASIA${random.hex(16).toUpperCase()}`,
          sessionContext: {
            sessionIssuer: {
              type: 'Role',
              principalId: `AROA${random.hex(17).toUpperCase()}`,
              arn: `arn:aws:iam::${call.account}:role/${call.actor.name}`,
              accountId: call.account,
              userName: call.actor.name,
            },
            webIdFederationData: {},
            attributes: { creationDate: new Date(call.time - random.int(60, 3_000) * 1000).toISOString(), mfaAuthenticated: 'false' },
          },
        };
  const failed = signIn && (call.responseElements as { ConsoleLogin?: string } | null)?.ConsoleLogin === 'Failure';
  return {
    eventVersion: signIn ? '1.09' : '1.10',
    userIdentity,
    eventTime: new Date(call.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: call.ip,
    userAgent: signIn ? AGENTS[5] : random.pick(AGENTS.slice(0, 4)),
    ...(call.errorCode
      ? { errorCode: call.errorCode, errorMessage: `User: ${arnOf(call)} is not authorized to perform: ${call.name}` }
      : {}),
    ...(failed ? { errorMessage: 'Failed authentication' } : {}),
    requestParameters: signIn ? null : (call.requestParameters ?? null),
    responseElements: call.responseElements ?? null,
    ...(signIn
      ? {
          additionalEventData: {
            LoginTo: 'https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true',
            MobileVersion: 'No',
            MFAUsed: 'No',
          },
        }
      : {}),
    ...(call.resources ? { resources: call.resources } : {}),
    requestID: signIn ? undefined : random.uuid(),
    eventID: random.uuid(),
    readOnly: call.readOnly,
    eventType: signIn ? 'AwsConsoleSignIn' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: call.account,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: signIn ? 'signin.aws.amazon.com' : `${call.source.split('.')[0]}.${call.region}.amazonaws.com`,
    },
    // workloads call AWS through interface endpoints of their VPC
    ...(call.actor.kind === 'role' ? { vpcEndpointId: `vpce-${random.hex(17)}`, vpcEndpointAccountId: call.account } : {}),
  };
}

function requestParametersOf(random: Prng, name: string, account: string, region: string): Record<string, unknown> | null {
  if (name.startsWith('Describe')) {
    return {
      filterSet: { items: [{ name: 'tag:Environment', valueSet: { items: [{ value: random.pick(['prod', 'staging']) }] } }] },
      instancesSet: { items: Array.from({ length: random.int(1, 4) }, () => ({ instanceId: `i-${random.hex(17)}` })) },
      maxResults: 1000,
    };
  }
  if (name === 'AssumeRole') {
    return {
      roleArn: `arn:aws:iam::${account}:role/${random.pick(['deploy', 'read-only', 'etl', 'eks-node'])}`,
      roleSessionName: `session-${random.hex(10)}`,
      durationSeconds: 3600,
    };
  }
  if (name === 'Decrypt' || name === 'GenerateDataKey') {
    return {
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      keyId: `arn:aws:kms:${region}:${account}:key/${random.uuid()}`,
      encryptionContext: {
        'aws:lambda:FunctionArn': `arn:aws:lambda:${region}:${account}:function:${random.pick(['ingest', 'resize', 'notify'])}`,
      },
    };
  }
  if (name === 'GetParameter')
    return { name: `/app/${random.pick(['db', 'api', 'cache'])}/${random.pick(['url', 'password', 'token'])}`, withDecryption: true };
  if (name.startsWith('Get') || name.startsWith('List')) return { bucketName: `data-${random.hex(6)}`, Host: `s3.${region}.amazonaws.com` };
  return { resourcesSet: { items: [{ resourceId: `${random.pick(['i', 'vol', 'snap', 'sg'])}-${random.hex(17)}` }] } };
}

function responseElementsOf(random: Prng, name: string, account: string): Record<string, unknown> | null {
  if (name !== 'AssumeRole') return null;
  return {
    credentials: {
      accessKeyId: `ASIA${random.hex(16).toUpperCase()}`,
      sessionToken: Buffer.from(random.hex(360)).toString('base64'),
      expiration: 'Dec 7, 2026, 11:00:00 AM',
    },
    assumedRoleUser: {
      assumedRoleId: `AROA${random.hex(17).toUpperCase()}:session`,
      arn: `arn:aws:sts::${account}:assumed-role/deploy/session`,
    },
  };
}
