import { type AccessLogOptions, accessLogOptions, parseAccessLog } from './access-log.js';
import { type AlbOptions, albOptions, parseAlb } from './alb.js';
import { type CefOptions, cefOptions, parseCef } from './cef.js';
import { type CloudTrailOptions, cloudTrailOptions, parseCloudTrail } from './cloudtrail.js';
import { type GuardDutyOptions, guardDutyOptions, parseGuardDuty } from './guardduty.js';
import { type JsonOptions, jsonOptions, parseJson } from './json.js';
import { type KvFirewallOptions, kvFirewallOptions, parseKvFirewall } from './kv-firewall.js';
import { parseS3Access, type S3AccessOptions, s3AccessOptions } from './s3-access.js';
import { parseSyslogLine, type SyslogOptions, syslogOptions } from './syslog.js';
import type { FormatResult, ParseContext } from './types.js';
import { parseVpcFlow, type VpcFlowOptions, vpcFlowOptions } from './vpc-flow.js';
import { parseWaf, type WafOptions, wafOptions } from './waf.js';

/** Every format's options schema: the log type config is their union, discriminated by `format`. */
export const FORMAT_OPTIONS = [
  jsonOptions,
  cloudTrailOptions,
  vpcFlowOptions,
  albOptions,
  guardDutyOptions,
  wafOptions,
  s3AccessOptions,
  cefOptions,
  syslogOptions,
  kvFirewallOptions,
  accessLogOptions,
] as const;

export type LogTypeConfig =
  | JsonOptions
  | CloudTrailOptions
  | VpcFlowOptions
  | AlbOptions
  | GuardDutyOptions
  | WafOptions
  | S3AccessOptions
  | CefOptions
  | SyslogOptions
  | KvFirewallOptions
  | AccessLogOptions;

export type FormatName = LogTypeConfig['format'];

/** The one dispatch from a log type's format to its module. */
export function parseFormat(bytes: Buffer, logType: LogTypeConfig, context: ParseContext): FormatResult {
  switch (logType.format) {
    case 'json':
      return parseJson(bytes, logType, context);
    case 'cloudtrail':
      return parseCloudTrail(bytes);
    case 'vpcflow':
      return parseVpcFlow(bytes, logType, context);
    case 'alb':
      return parseAlb(bytes);
    case 'guardduty':
      return parseGuardDuty(bytes);
    case 'waf':
      return parseWaf(bytes);
    case 's3-access':
      return parseS3Access(bytes);
    case 'cef':
      return parseCef(bytes, logType, context);
    case 'syslog':
      return parseSyslogLine(bytes, logType, context);
    case 'kv':
      return parseKvFirewall(bytes, logType, context);
    case 'access-log':
      return parseAccessLog(bytes, logType);
  }
}
