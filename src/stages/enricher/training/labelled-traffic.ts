import { EVENT_SCHEMA_VERSION, MAPPABLE_FIELDS, type MappableField, type NormalizedEvent } from '../../../schemas/events.js';
import { Random } from './random.js';

/**
 * A labelled stream for training and for measuring detection: normal traffic from many
 * entities (firewall sessions, logons, API calls), plus injected incidents — a port scan, a
 * brute-force login burst, an exfiltration-sized transfer and a rare, destructive API call.
 */
export type IncidentKind = 'port-scan' | 'brute-force' | 'exfiltration' | 'rare-api';

export interface LabelledEvent {
  event: NormalizedEvent;
  /** the injected incident the event belongs to, or null for normal traffic */
  incident: string | null;
  kind: IncidentKind | null;
}

export interface TrafficOptions {
  seed: number;
  hosts: number;
  users: number;
  durationMs: number;
  /** incidents of each kind, spread over the second half of the stream */
  incidentsPerKind: number;
  startTime?: number;
}

const SERVERS = Array.from({ length: 60 }, (_, i) => `172.16.${Math.floor(i / 20)}.${10 + (i % 20)}`);
const COMMON_PORTS = [443, 443, 443, 443, 80, 80, 53, 53, 8443, 22];
const APIS = [
  'GetObject',
  'PutObject',
  'ListBuckets',
  'DescribeInstances',
  'AssumeRole',
  'GetCallerIdentity',
  'ListObjects',
  'GetBucketAcl',
  'DescribeVolumes',
  'CreateTags',
  'GetMetricData',
  'DescribeSecurityGroups',
];
const RARE_APIS = ['DeleteTrail', 'StopLogging', 'DisableKey', 'DeleteFlowLogs', 'PutBucketPolicy'];

export function labelledTraffic(o: TrafficOptions): LabelledEvent[] {
  const rnd = new Random(o.seed);
  const start = o.startTime ?? Date.UTC(2026, 10, 1);
  const out: LabelledEvent[] = [];
  for (let h = 0; h < o.hosts; h++) hostTraffic(rnd, h, start, o.durationMs, out);
  for (let u = 0; u < o.users; u++) userTraffic(rnd, u, start, o.durationMs, out);
  injectIncidents(rnd, o, start, out);
  out.sort((a, b) => a.event.TimeGenerated - b.event.TimeGenerated);
  return out;
}

/** Internet addresses hosts talk to (popularity Zipf-ranked), the DNS resolver, the backup targets every host uses. */
const INTERNET = Array.from({ length: 4_000 }, (_, i) => `${23 + (i % 180)}.${(i * 7) % 250}.${(i * 13) % 250}.${1 + (i % 250)}`);
const RESOLVER = '10.0.0.2';
const BACKUP_TARGETS = ['52.216.10.1', '52.216.10.2', '52.216.20.5', '52.217.4.9'];

/**
 * A host's flows: most to its favourite servers, some out to the internet (a long tail of
 * addresses, bytes log-normal), DNS, now and then a backup of hundreds of MB to a shared target,
 * and the internet's single-port probes of the host (denied). Activity is heavy-tailed: a few
 * hosts send an event every few seconds, most every few minutes.
 */
function hostTraffic(rnd: Random, h: number, start: number, duration: number, out: LabelledEvent[]) {
  const ip = hostIp(h);
  const favourites = Array.from({ length: 2 + rnd.int(4) }, () => rnd.pick(SERVERS));
  const medianBytes = 2_000 + rnd.int(40_000);
  const meanGap = Math.exp(Math.log(3_000) + rnd.next() * Math.log(200));
  for (let t = start + rnd.exponential(meanGap); t < start + duration; t += rnd.exponential(meanGap)) {
    const u = rnd.next();
    if (u < 0.55) {
      const denied = rnd.next() < 0.02;
      out.push(normal(session(ip, rnd.pick(favourites), rnd.pick(COMMON_PORTS), Math.round(rnd.logNormal(medianBytes, 0.6)), denied, t)));
    } else if (u < 0.85) {
      const port = rnd.next() < 0.9 ? 443 : 80;
      out.push(normal(session(ip, INTERNET[rnd.zipf(INTERNET.length)] as string, port, Math.round(rnd.logNormal(8_000, 1.4)), false, t)));
    } else if (u < 0.96) out.push(normal(session(ip, RESOLVER, 53, 80 + rnd.int(300), false, t)));
    else if (u < 0.995) {
      const prober = `${100 + rnd.int(120)}.${rnd.int(250)}.${rnd.int(250)}.${1 + rnd.int(250)}`;
      out.push(normal(session(prober, ip, rnd.pick([22, 23, 445, 3389, 1433, 5900]), 40 + rnd.int(40), true, t)));
    } else out.push(normal(session(ip, rnd.pick(BACKUP_TARGETS), 443, Math.round(rnd.logNormal(300_000_000, 1)), false, t)));
  }
}

function userTraffic(rnd: Random, u: number, start: number, duration: number, out: LabelledEvent[]) {
  const user = `user${u}@example.com`;
  const ip = `10.20.${Math.floor(u / 250)}.${u % 250}`;
  const meanGap = 60_000 + rnd.int(240_000);
  for (let t = start + rnd.exponential(meanGap); t < start + duration; t += rnd.exponential(meanGap)) {
    if (rnd.next() < 0.3) out.push(normal(logon(user, ip, rnd.next() < 0.05, t)));
    else out.push(normal(apiCall(user, ip, APIS[rnd.zipf(APIS.length)] as string, t)));
  }
}

function injectIncidents(rnd: Random, o: TrafficOptions, start: number, out: LabelledEvent[]) {
  const at = () => start + o.durationMs / 2 + rnd.next() * (o.durationMs / 2 - 120_000);
  for (let i = 0; i < o.incidentsPerKind; i++) {
    const scanner = rnd.next() < 0.5 ? hostIp(rnd.int(o.hosts)) : `10.99.0.${i}`;
    const target = rnd.pick(SERVERS);
    let t = at();
    for (let p = 0; p < 120; p++, t += rnd.exponential(400)) {
      out.push(incident(`port-scan-${i}`, 'port-scan', session(scanner, target, 1 + rnd.int(10_000), 60, rnd.next() < 0.7, t)));
    }
    const victim = `user${rnd.int(Math.max(1, o.users))}@example.com`;
    const attacker = `203.0.113.${i}`;
    t = at();
    for (let n = 0; n < 40; n++, t += rnd.exponential(1_000)) {
      out.push(incident(`brute-force-${i}`, 'brute-force', logon(victim, attacker, n < 39, t)));
    }
    const leaker = rnd.int(o.hosts);
    out.push(
      incident(
        `exfiltration-${i}`,
        'exfiltration',
        session(hostIp(leaker), '198.51.100.7', 443, 2_000_000_000 + rnd.int(1_000_000_000), false, at()),
      ),
    );
    const actor = `user${rnd.int(Math.max(1, o.users))}@example.com`;
    out.push(incident(`rare-api-${i}`, 'rare-api', apiCall(actor, `10.20.0.${i}`, rnd.pick(RARE_APIS), at())));
  }
}

const hostIp = (h: number) => `10.${1 + Math.floor(h / 62_500)}.${Math.floor(h / 250) % 250}.${h % 250}`;
const normal = (event: NormalizedEvent): LabelledEvent => ({ event, incident: null, kind: null });
const incident = (id: string, kind: IncidentKind, event: NormalizedEvent): LabelledEvent => ({ event, incident: id, kind });

function base(t: number, schema: string, eventType: string, entity: string): NormalizedEvent {
  const empty = Object.fromEntries(MAPPABLE_FIELDS.map((f) => [f, null])) as Record<MappableField, null>;
  return {
    ...empty,
    EventId: '',
    EventSchema: schema,
    EventSchemaVersion: EVENT_SCHEMA_VERSION,
    TimeGenerated: Math.floor(t),
    EventType: eventType,
    EntityKey: entity,
    LogType: 'generated',
    SourceBucket: '',
    SourceKey: '',
    SourceRecordNumber: 0,
    AdditionalFields: {},
  };
}

function session(src: string, dst: string, port: number, bytes: number, denied: boolean, t: number): NormalizedEvent {
  return {
    ...base(t, 'NetworkSession', 'NetworkSession', `SrcIpAddr:${src}`),
    SrcIpAddr: src,
    DstIpAddr: dst,
    DstPortNumber: port,
    NetworkProtocol: port === 53 ? 'UDP' : 'TCP',
    DvcAction: denied ? 'Deny' : 'Allow',
    EventResult: denied ? 'Failure' : 'Success',
    SrcBytes: bytes,
  };
}

function logon(user: string, ip: string, failed: boolean, t: number): NormalizedEvent {
  return {
    ...base(t, 'Authentication', 'Logon', `ActorUsername:${user}`),
    ActorUsername: user,
    SrcIpAddr: ip,
    EventResult: failed ? 'Failure' : 'Success',
  };
}

function apiCall(user: string, ip: string, api: string, t: number): NormalizedEvent {
  return { ...base(t, 'AuditEvent', api, `ActorUsername:${user}`), ActorUsername: user, SrcIpAddr: ip, EventResult: 'Success' };
}
