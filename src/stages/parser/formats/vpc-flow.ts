import { z } from 'zod';
import { SiemStreamError } from '../../../errors.js';
import { RAW_HEADER } from '../../../schemas/raw-record.js';
import { isAbsent, toIpAddress, toLong, toPort, toProtocol, toText, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { toTimestampMillis } from '../time.js';
import { commonLogTypeOptions } from './common-options.js';
import type { EventFields, FormatResult, ParseContext } from './types.js';

/** The default (version 2) format, in its fixed order. */
export const VPC_FLOW_V2 = [
  'version',
  'account-id',
  'interface-id',
  'srcaddr',
  'dstaddr',
  'srcport',
  'dstport',
  'protocol',
  'packets',
  'bytes',
  'start',
  'end',
  'action',
  'log-status',
] as const;

/** Every field AWS documents for custom formats (versions 2–8); a header naming only these is a header line. */
const KNOWN_FIELDS = new Set<string>([
  ...VPC_FLOW_V2,
  'vpc-id',
  'subnet-id',
  'instance-id',
  'tcp-flags',
  'type',
  'pkt-srcaddr',
  'pkt-dstaddr',
  'region',
  'az-id',
  'sublocation-type',
  'sublocation-id',
  'pkt-src-aws-service',
  'pkt-dst-aws-service',
  'flow-direction',
  'traffic-path',
  'ecs-cluster-arn',
  'ecs-cluster-name',
  'ecs-container-instance-arn',
  'ecs-container-instance-id',
  'ecs-container-id',
  'ecs-second-container-id',
  'ecs-service-name',
  'ecs-task-definition-arn',
  'ecs-task-arn',
  'ecs-task-id',
  'reject-reason',
  'resource-id',
  'encryption-status',
]);

export const vpcFlowOptions = z
  .object({
    format: z.literal('vpcflow'),
    ...commonLogTypeOptions,
    fields: z
      .array(z.string().regex(/^[a-z0-9-]+$/, 'a VPC flow log field name such as srcaddr'))
      .min(1)
      .default([...VPC_FLOW_V2])
      .describe(
        "field order of a custom format, used when the object has no header line (a header line in the object, or the S3 source's header-line header, wins); default: the version 2 format",
      ),
  })
  .strict()
  .describe('VPC Flow Logs, default or custom format ([formats](formats.md#vpcflow--vpc-flow-logs))');

export type VpcFlowOptions = z.infer<typeof vpcFlowOptions>;

/** The v2 fields the mapping reads: all but version, account-id and interface-id. */
const MAPPED = new Set<string>(VPC_FLOW_V2.slice(3));

/**
 * One VPC flow log line: space-separated, "-" for no value. The layout is the object's header
 * line when one was seen (or forwarded by the s3-source), else the configured field list.
 * NODATA/SKIPDATA rows carry only times and the status; they become events with EventResult NA.
 */
export function parseVpcFlow(bytes: Buffer, options: VpcFlowOptions, context: ParseContext): FormatResult {
  const { text } = decodeText(bytes);
  const tokens = text.trim().split(/\s+/);
  if (text.trim() === '') throw unparseable('empty record');
  if (tokens.every((t) => KNOWN_FIELDS.has(t))) {
    context.layouts.set(context.objectId, tokens);
    return { kind: 'header', fields: tokens };
  }
  const layout = layoutFor(options, context);
  if (tokens.length !== layout.length) {
    throw unparseable(`expected ${layout.length} space-separated fields (${layout.slice(0, 4).join(' ')} …), got ${tokens.length}`);
  }
  const row = new Map(layout.map((name, i) => [name, tokens[i] as string]));
  const status = row.get('log-status') ?? null;
  const start = row.get('start');
  const end = row.get('end');
  if (isAbsent(start) && isAbsent(end)) throw new SiemStreamError('RECORD_INVALID', 'start/end: both missing', { stage: 'parser' });
  const action = row.get('action');
  const fields: EventFields = {
    TimeGenerated: toTimestampMillis(isAbsent(start) ? end : start, 'start'),
    EventStartTime: isAbsent(start) ? null : toTimestampMillis(start, 'start'),
    EventEndTime: isAbsent(end) ? null : toTimestampMillis(end, 'end'),
    EventSchema: 'NetworkSession',
    EventType: 'NetworkSession',
    EventProduct: 'VPC Flow Logs',
    EventVendor: 'AWS',
    EventResult: action === 'ACCEPT' ? 'Success' : action === 'REJECT' ? 'Failure' : 'NA',
    EventResultDetails: status === 'OK' ? null : status,
    DvcAction: action === 'ACCEPT' ? 'Allow' : action === 'REJECT' ? 'Deny' : null,
    SrcIpAddr: toIpAddress(row.get('srcaddr'), 'srcaddr'),
    DstIpAddr: toIpAddress(row.get('dstaddr'), 'dstaddr'),
    SrcPortNumber: toPort(row.get('srcport'), 'srcport'),
    DstPortNumber: toPort(row.get('dstport'), 'dstport'),
    NetworkProtocol: toProtocol(row.get('protocol')),
    NetworkPackets: toLong(row.get('packets'), 'packets'),
    SrcBytes: toLong(row.get('bytes'), 'bytes'),
    NetworkDirection: direction(row.get('flow-direction')),
    DvcInterface: toText(row.get('interface-id')),
    DvcScopeId: toText(row.get('account-id')),
    Dvc: toText(row.get('instance-id')) ?? toText(row.get('interface-id')),
    AdditionalFields: Object.fromEntries([...row].filter(([k, v]) => !MAPPED.has(k) && !isAbsent(v))),
  };
  return { kind: 'event', fields };
}

function layoutFor(options: VpcFlowOptions, context: ParseContext): readonly string[] {
  const forwarded = context.headers[RAW_HEADER.headerLine];
  if (forwarded) return forwarded.trim().split(/\s+/);
  return context.layouts.get(context.objectId) ?? options.fields;
}

function direction(value: string | undefined): string | null {
  if (value === 'ingress') return 'Inbound';
  if (value === 'egress') return 'Outbound';
  return null;
}
