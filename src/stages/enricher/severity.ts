import type { NormalizedEvent } from '../../schemas/events.js';

const FIELD_SEVERITY: Record<string, number> = { informational: 0, low: 0.3, medium: 0.6, high: 1 };

/** Words that make an analyst look twice, in event types, actions, results and messages. */
const KEYWORDS =
  /\b(?:fail(?:ed|ure)?|denied|deny|drop(?:ped)?|block(?:ed)?|reject(?:ed)?|error|invalid|unauthori[sz]ed|forbidden|root|admin(?:istrator)?|delete\w*|disable\w*|stop\w*|privilege\w*|escalat\w*|malware|exploit)\b/gi;

/** What a line naming one of the topology's `sensitiveOperations` scores at least. */
export const SENSITIVE_OPERATION_SEVERITY = 0.5;

/**
 * A score in [0, 1]: the event's own severity field if it has one, raised by each keyword
 * found in the fields that describe what happened (0.25 per distinct keyword), and at least
 * SENSITIVE_OPERATION_SEVERITY for a sensitive operation (CreateAccessKey, PutBucketPolicy
 * name no keyword but are what an attacker does first).
 */
export function severityScore(event: NormalizedEvent, line: string, sensitiveOperation = false): number {
  const field = FIELD_SEVERITY[(event.EventSeverity ?? '').toLowerCase()] ?? 0;
  const words = new Set((line.match(KEYWORDS) ?? []).map((w) => w.toLowerCase()));
  return Math.max(field, Math.min(1, 0.25 * words.size), sensitiveOperation ? SENSITIVE_OPERATION_SEVERITY : 0);
}

/**
 * The line Drain mines for an event: what happened (with the operation, e.g. CloudTrail's
 * eventName, second, so each operation gets its own branch of Drain's tree rather than becoming a
 * `<*>` of its verb class), its outcome, and the source's message if it has one.
 */
export function eventLine(event: NormalizedEvent): string {
  const message =
    event.EventMessage ?? event.AdditionalFields?.message ?? event.AdditionalFields?.Message ?? event.AdditionalFields?.msg ?? '';
  const what = event.Operation ? [event.EventType, event.Operation] : [event.EventType];
  return [...what, event.EventResult ?? '-', event.DvcAction ?? '-', event.NetworkProtocol ?? '-', message].join(' ').trim();
}
