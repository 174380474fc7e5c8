import { z } from 'zod';
import { SiemStreamError } from '../../../errors.js';
import { ipOrNull, toPort, toText } from '../field-values.js';
import { toTimestampMillis } from '../time.js';
import { commonLogTypeOptions } from './common-options.js';
import { asObject, getPath, type JsonObject, parseJsonObject, remainingFields } from './json-object.js';
import type { FormatResult } from './types.js';

export const guardDutyOptions = z
  .object({ format: z.literal('guardduty'), ...commonLogTypeOptions })
  .strict()
  .describe('GuardDuty findings ([formats](formats.md#guardduty--guardduty-findings))');
export type GuardDutyOptions = z.infer<typeof guardDutyOptions>;

const MAPPED = new Set(['id', 'type', 'title', 'severity', 'accountId', 'updatedAt', 'createdAt', 'service', 'resource', 'description']);

/**
 * One GuardDuty finding: as exported to S3 (one finding per line) or as an EventBridge event
 * (`detail-type: GuardDuty Finding`, the finding in `detail`). Findings are alerts, so they map
 * to the generic Event schema with ASIM's threat fields; the network or API action fills the
 * source/destination fields.
 */
export function parseGuardDuty(bytes: Buffer): FormatResult {
  const outer = parseJsonObject(bytes);
  const finding = asObject(outer.detail) ?? outer;
  const type = toText(finding.type);
  if (type === null || finding.id === undefined) {
    throw new SiemStreamError('RECORD_INVALID', 'id/type: missing (not a GuardDuty finding?)', { stage: 'parser' });
  }
  const action = asObject(getPath(finding, 'service.action')) ?? {};
  const network = asObject(action.networkConnectionAction);
  const apiCall = asObject(action.awsApiCallAction);
  const probe = asObject(
    Array.isArray(getPath(action, 'portProbeAction.portProbeDetails'))
      ? (getPath(action, 'portProbeAction.portProbeDetails') as unknown[])[0]
      : undefined,
  );
  const remote = asObject(network?.remoteIpDetails ?? apiCall?.remoteIpDetails ?? probe?.remoteIpDetails);
  const nic = asObject((getPath(finding, 'resource.instanceDetails.networkInterfaces') as unknown[] | undefined)?.[0]);
  const severity = Number(finding.severity);
  const direction = toText(network?.connectionDirection);
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(finding.updatedAt ?? finding.createdAt, 'updatedAt'),
      EventStartTime: optionalTime(getPath(finding, 'service.eventFirstSeen'), 'service.eventFirstSeen'),
      EventEndTime: optionalTime(getPath(finding, 'service.eventLastSeen'), 'service.eventLastSeen'),
      EventSchema: 'Event',
      EventType: 'Alert',
      EventSubType: toText(action.actionType),
      EventOriginalUid: toText(finding.id),
      EventOriginalType: type,
      EventMessage: toText(finding.title),
      EventOriginalSeverity: toText(finding.severity),
      EventSeverity: Number.isFinite(severity) ? severityName(severity) : null,
      EventProduct: 'GuardDuty',
      EventVendor: 'AWS',
      ThreatName: type,
      ThreatCategory: type.includes(':') ? (type.split(':')[0] as string) : null,
      DvcScopeId: toText(finding.accountId),
      Dvc: toText(getPath(finding, 'resource.instanceDetails.instanceId')) ?? toText(getPath(finding, 'resource.resourceType')),
      SrcIpAddr: ipOrNull(remote?.ipAddressV4 ?? remote?.ipAddressV6),
      SrcPortNumber: toPort(getPath(network, 'remotePortDetails.port'), 'remotePortDetails.port'),
      DstIpAddr: ipOrNull(nic?.privateIpAddress),
      DstPortNumber: toPort(getPath(network ?? probe, 'localPortDetails.port'), 'localPortDetails.port'),
      NetworkProtocol: toText(network?.protocol)?.toUpperCase() ?? null,
      NetworkDirection: direction === 'INBOUND' ? 'Inbound' : direction === 'OUTBOUND' ? 'Outbound' : null,
      DvcAction: network?.blocked === true ? 'Deny' : null,
      Operation: toText(apiCall?.api),
      TargetAppName: toText(apiCall?.serviceName),
      ActorUsername: toText(getPath(finding, 'resource.accessKeyDetails.userName')),
      ActorUserId: toText(getPath(finding, 'resource.accessKeyDetails.principalId')),
      AdditionalFields: {
        ...remainingFields(finding as JsonObject, MAPPED),
        ...(typeof finding.description === 'string' ? { description: finding.description } : {}),
        ...(getPath(finding, 'service.count') !== undefined ? { count: String(getPath(finding, 'service.count')) } : {}),
        ...(toText(getPath(remote, 'country.countryName')) ? { remoteCountry: String(getPath(remote, 'country.countryName')) } : {}),
      },
    },
  };
}

/** GuardDuty: 1.0–3.9 Low, 4.0–6.9 Medium, 7.0 and above High (ASIM has no Critical). */
function severityName(severity: number): string {
  if (severity < 1) return 'Informational';
  if (severity < 4) return 'Low';
  if (severity < 7) return 'Medium';
  return 'High';
}

function optionalTime(value: unknown, field: string): number | null {
  return value === undefined || value === null || value === '' ? null : toTimestampMillis(value, field);
}
