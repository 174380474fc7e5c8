import { z } from 'zod';
import type { MappableField } from '../../../schemas/events.js';
import { recordInvalid, toIpAddress, toLong, toPort, toProtocol, toText, unparseable } from '../field-values.js';
import { decodeText } from '../text.js';
import { parseOffset, toTimestampMillis } from '../time.js';
import { commonLogTypeOptions, mappableFieldSchema, timezoneOffset } from './common-options.js';
import type { FormatResult, ParseContext } from './types.js';

/** Key names of FortiGate-style traffic logs, the most common key=value firewall layout. */
const DEFAULT_FIELD_MAP: Partial<Record<MappableField, string>> = {
  SrcIpAddr: 'srcip',
  SrcPortNumber: 'srcport',
  DstIpAddr: 'dstip',
  DstPortNumber: 'dstport',
  NetworkProtocol: 'proto',
  DvcAction: 'action',
  SrcBytes: 'sentbyte',
  DstBytes: 'rcvdbyte',
  NetworkPackets: 'sentpkt',
  NetworkRuleName: 'policyid',
  DvcHostname: 'devname',
  Dvc: 'devid',
  ActorUsername: 'user',
  EventOriginalUid: 'logid',
  EventSubType: 'subtype',
  EventOriginalSeverity: 'level',
  EventMessage: 'msg',
};

/** Vendor action words → ASIM DvcAction; anything else is rejected, as the old connector did. */
const DEFAULT_ACTIONS: Record<string, 'Allow' | 'Deny' | 'Drop' | 'Reset'> = {
  accept: 'Allow',
  allow: 'Allow',
  allowed: 'Allow',
  pass: 'Allow',
  permit: 'Allow',
  close: 'Allow',
  'server-rst': 'Reset',
  'client-rst': 'Reset',
  reset: 'Reset',
  deny: 'Deny',
  denied: 'Deny',
  block: 'Deny',
  blocked: 'Deny',
  reject: 'Deny',
  drop: 'Drop',
  dropped: 'Drop',
  timeout: 'Drop',
};

export const kvFirewallOptions = z
  .object({
    format: z.literal('kv'),
    ...commonLogTypeOptions,
    fieldMap: z
      .record(mappableFieldSchema, z.string().min(1))
      .default({})
      .describe('normalized field → key; merged over the FortiGate-style defaults'),
    timeKeys: z
      .array(z.string().min(1))
      .min(1)
      .max(2)
      .default(['date', 'time'])
      .describe('keys whose values, joined with "T", form the timestamp (`date=2026-11-01 time=10:00:00`), or one key (`eventtime`)'),
    fallbackTimeKey: z
      .string()
      .min(1)
      .default('eventtime')
      .describe('a key tried when `timeKeys` are absent, e.g. FortiOS `eventtime` (epoch s/ms/µs/ns)'),
    timezoneOffset: timezoneOffset.describe('zone of timestamps that carry none'),
    actions: z
      .record(z.string().min(1).describe('word'), z.enum(['Allow', 'Deny', 'Drop', 'Reset']))
      .default({})
      .describe('action words beyond the defaults, compared case-insensitively; an unknown word sends the record to the DLQ'),
  })
  .strict()
  .describe(
    'key=value firewall logs, FortiGate-style by default ([formats](formats.md#kv--keyvalue-firewall-logs-fortigate-style-by-default))',
  );

export type KvFirewallOptions = z.infer<typeof kvFirewallOptions>;

/**
 * Firewall logs of `key=value` pairs separated by spaces; values may be "double quoted" (with \"
 * inside). Source and destination addresses must be valid IPs and the action a known word;
 * otherwise the record goes to the DLQ.
 */
export function parseKvFirewall(bytes: Buffer, options: KvFirewallOptions, context: ParseContext): FormatResult {
  const { text, encoding } = decodeText(bytes);
  const pairs = parsePairs(text);
  if (pairs.size === 0) throw unparseable('no key=value pairs');
  const map = { ...DEFAULT_FIELD_MAP, ...options.fieldMap };
  const get = (field: MappableField) => (map[field] === undefined ? undefined : pairs.get(map[field] as string));
  const time = timeText(pairs, options);
  if (time === undefined) throw recordInvalid(options.timeKeys.join('+'), 'a timestamp', undefined);
  const actionWord = get('DvcAction');
  const actions: Record<string, string> = { ...DEFAULT_ACTIONS, ...lowerKeys(options.actions) };
  const action = actionWord === undefined ? null : actions[actionWord.toLowerCase()];
  if (action === undefined) throw recordInvalid(map.DvcAction as string, `one of ${Object.keys(actions).join(', ')}`, actionWord);
  const used = new Set([...Object.values(map), ...options.timeKeys, options.fallbackTimeKey]);
  const additional = Object.fromEntries([...pairs].filter(([k]) => !used.has(k)));
  if (encoding) additional.SourceEncoding = encoding;
  return {
    kind: 'event',
    fields: {
      TimeGenerated: toTimestampMillis(time, options.timeKeys.join('+'), {
        defaultOffsetMinutes: parseOffset(pairs.get('tz') ?? options.timezoneOffset) ?? parseOffset(options.timezoneOffset) ?? 0,
        referenceMillis: context.receivedAt,
      }),
      EventSchema: 'NetworkSession',
      EventType: 'NetworkSession',
      EventResult: action === null ? null : action === 'Allow' ? 'Success' : 'Failure',
      DvcAction: action,
      SrcIpAddr: toIpAddress(get('SrcIpAddr'), map.SrcIpAddr as string),
      DstIpAddr: toIpAddress(get('DstIpAddr'), map.DstIpAddr as string),
      SrcPortNumber: toPort(get('SrcPortNumber'), map.SrcPortNumber as string),
      DstPortNumber: toPort(get('DstPortNumber'), map.DstPortNumber as string),
      NetworkProtocol: toProtocol(get('NetworkProtocol')),
      SrcBytes: toLong(get('SrcBytes'), map.SrcBytes ?? 'SrcBytes'),
      DstBytes: toLong(get('DstBytes'), map.DstBytes ?? 'DstBytes'),
      NetworkPackets: toLong(get('NetworkPackets'), map.NetworkPackets ?? 'NetworkPackets'),
      NetworkRuleName: toText(get('NetworkRuleName')),
      DvcHostname: toText(get('DvcHostname')),
      Dvc: toText(get('Dvc')),
      ActorUsername: toText(get('ActorUsername')),
      EventOriginalUid: toText(get('EventOriginalUid')),
      EventSubType: toText(get('EventSubType')),
      EventOriginalSeverity: toText(get('EventOriginalSeverity')),
      EventMessage: toText(get('EventMessage')),
      AdditionalFields: additional,
    },
  };
}

/** key=value, key="quoted value with \" and spaces", key= (empty). Words without "=" (a syslog prefix) are skipped. */
export function parsePairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>();
  // FortiGate's syslog output glues the PRI to the first key: <189>date=…
  let i = /^<\d{1,3}>/.exec(text)?.[0].length ?? 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const keyStart = i;
    while (i < n && text[i] !== '=' && !isSpace(text.charCodeAt(i))) i++;
    const key = text.slice(keyStart, i);
    if (text[i] !== '=') continue;
    i++;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++;
        value += text[i];
        i++;
      }
      i++;
    } else {
      const start = i;
      while (i < n && !isSpace(text.charCodeAt(i))) i++;
      value = text.slice(start, i);
    }
    if (key !== '') pairs.set(key, value);
  }
  return pairs;
}

/** space, tab, CR, LF — a char-code test, as this loop runs for every byte of every record */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

function timeText(pairs: Map<string, string>, options: KvFirewallOptions): string | undefined {
  const parts = options.timeKeys.map((k) => pairs.get(k));
  if (parts.every((p) => p !== undefined && p !== '')) return parts.join('T');
  return pairs.get(options.fallbackTimeKey);
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}
