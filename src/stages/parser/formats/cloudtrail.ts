import { z } from 'zod';
import { SiemStreamError } from '../../../errors.js';
import { ipOrNull, toText } from '../field-values.js';
import { toTimestampMillis } from '../time.js';
import { commonLogTypeOptions } from './common-options.js';
import { asObject, getPath, parseJsonObject, remainingFields } from './json-object.js';
import type { FormatResult } from './types.js';

export const cloudTrailOptions = z
  .object({ format: z.literal('cloudtrail'), ...commonLogTypeOptions })
  .strict()
  .describe(
    'AWS CloudTrail records; route its objects with `framing: json-records` ([formats](formats.md#cloudtrail--aws-cloudtrail-records))',
  );
export type CloudTrailOptions = z.infer<typeof cloudTrailOptions>;

const MAPPED = new Set([
  'eventTime',
  'eventID',
  'eventName',
  'eventSource',
  'eventType',
  'sourceIPAddress',
  'userAgent',
  'userIdentity',
  'errorCode',
  'errorMessage',
  'recipientAccountId',
  'resources',
  'responseElements',
  'additionalEventData',
]);

/** ASIM AuditEvent EventType from the API verb (readOnly calls are reads whatever their name). */
const VERBS: Array<[RegExp, string]> = [
  [/^(Get|List|Describe|Head|Lookup|Search|Select|Scan|Query|BatchGet)/, 'Read'],
  [/^(Create|Run|Allocate|Register|Import|Copy|Issue|Request)/, 'Create'],
  [/^(Delete|Remove|Terminate|Deregister|Release|Revoke|Cancel|Purge)/, 'Delete'],
  [/^(Enable|Start|Activate)/, 'Enable'],
  [/^(Disable|Stop|Deactivate)/, 'Disable'],
  [/^(Update|Modify|Put|Set|Attach|Detach|Associate|Disassociate|Add|Change|Replace|Tag|Untag|Authorize|Reset)/, 'Set'],
  [/^(Invoke|Execute|Send|Publish|Decrypt|Encrypt|Assume|Generate)/, 'Execute'],
];

/**
 * One CloudTrail record (an element of a log file's Records array, as the s3-source emits it).
 * Console sign-ins become Authentication events; every other call an AuditEvent.
 */
export function parseCloudTrail(bytes: Buffer): FormatResult {
  const r = parseJsonObject(bytes);
  if (Array.isArray(r.Records)) {
    throw new SiemStreamError(
      'RECORD_INVALID',
      'a whole CloudTrail file (Records array) reached the parser; route it with the JSON Records reader',
      {
        stage: 'parser',
      },
    );
  }
  if (r.eventTime === undefined)
    throw new SiemStreamError('RECORD_INVALID', 'eventTime: missing (not a CloudTrail record?)', { stage: 'parser' });
  const identity = asObject(r.userIdentity) ?? {};
  const eventName = toText(r.eventName);
  const signIn = r.eventType === 'AwsConsoleSignIn';
  const errorCode = toText(r.errorCode);
  const consoleResult = toText(getPath(r, 'responseElements.ConsoleLogin'));
  const failed = errorCode !== null || consoleResult === 'Failure';
  const resource = Array.isArray(r.resources) ? asObject(r.resources[0]) : undefined;
  const sourceAddress = toText(r.sourceIPAddress);
  const username =
    toText(identity.userName) ??
    toText(getPath(identity, 'sessionContext.sessionIssuer.userName')) ??
    (identity.type === 'Root' ? 'root' : null) ??
    toText(identity.arn);
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(r.eventTime, 'eventTime'),
      EventSchema: signIn ? 'Authentication' : 'AuditEvent',
      EventType: signIn ? (eventName === 'ConsoleLogin' ? 'Logon' : (eventName ?? 'Logon')) : auditType(eventName, r.readOnly),
      EventSubType: toText(r.eventType),
      EventResult: failed ? 'Failure' : 'Success',
      EventResultDetails: errorCode,
      EventMessage: toText(r.errorMessage),
      EventOriginalType: eventName,
      EventOriginalUid: toText(r.eventID),
      EventProduct: 'CloudTrail',
      EventVendor: 'AWS',
      Operation: eventName,
      Object: toText(resource?.ARN),
      ObjectType: toText(resource?.type),
      TargetAppName: toText(r.eventSource),
      SrcIpAddr: ipOrNull(sourceAddress),
      SrcHostname: ipOrNull(sourceAddress) === null ? sourceAddress : null,
      HttpUserAgent: toText(r.userAgent),
      ActorUsername: username,
      TargetUsername: signIn ? username : null,
      ActorUserId: toText(identity.principalId) ?? toText(identity.arn),
      ActorUserType: toText(identity.type),
      LogonMethod: signIn
        ? getPath(r, 'additionalEventData.MFAUsed') === 'Yes'
          ? 'Multifactor authentication'
          : 'Username & password'
        : null,
      DvcScopeId: toText(r.recipientAccountId) ?? toText(identity.accountId),
      AdditionalFields: remainingFields(r, MAPPED),
    },
  };
}

function auditType(eventName: string | null, readOnly: unknown): string {
  if (readOnly === true || readOnly === 'true') return 'Read';
  if (eventName === null) return 'Other';
  return VERBS.find(([pattern]) => pattern.test(eventName))?.[1] ?? 'Other';
}
