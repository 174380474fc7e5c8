import { gzipSync } from 'node:zlib';
import { planAttacks } from './attacks.js';
import { cloudTrailRecord, normalApiCall } from './cloudtrail-records.js';
import { type CorpusObject, type CorpusRecord, type EvalLogType, type Label, recordId } from './corpus-types.js';
import { makeEntities } from './entities.js';
import { cefTrafficLine, normalCefTraffic, normalSyslogLine } from './host-log-lines.js';
import { Prng } from './prng.js';
import { noDataLine, normalFlow, VPC_FLOW_HEADER, vpcFlowLine } from './vpc-flow-lines.js';

export interface CorpusOptions {
  seed: number;
  /** records in all, normal and anomalous */
  records: number;
  /** share of anomalous records, 0.001–0.01 */
  baseRate: number;
  /** event time of the first record (epoch ms) */
  start: number;
  durationMs: number;
  /** internal hosts; default scales with records (500 at 60,000) */
  hosts?: number;
  /** IAM users; default scales with records (80 at 60,000) */
  users?: number;
}

export interface Corpus {
  objects: CorpusObject[];
  /** `<key>#<record number>` → label, for the anomalous records only */
  labels: Map<string, Label>;
  /** records (events the parser will emit: header lines excluded) */
  records: number;
  hosts: number;
  users: number;
}

/** Share of the normal records per log type. */
const MIX: Record<EvalLogType, number> = { cloudtrail: 0.3, vpcflow: 0.5, syslog: 0.12, cef: 0.08 };

/** How each writer batches into objects and how long after a batch closes the object lands (ms). */
export const DELIVERY: Record<EvalLogType, { batchMs: number; delayMs: [number, number] }> = {
  // CloudTrail: a file per account and region about every 5 minutes, landing 5–15 minutes after the VPC Flow Logs of the same time
  cloudtrail: { batchMs: 300_000, delayMs: [360_000, 1_080_000] },
  vpcflow: { batchMs: 300_000, delayMs: [60_000, 180_000] },
  // syslog and CEF go through a Firehose-like buffer of a minute
  syslog: { batchMs: 60_000, delayMs: [60_000, 120_000] },
  cef: { batchMs: 60_000, delayMs: [30_000, 60_000] },
};

export function generateCorpus(options: CorpusOptions): Corpus {
  const random = new Prng(options.seed);
  const hosts = options.hosts ?? Math.max(200, Math.round(options.records / 120));
  const users = options.users ?? Math.max(40, Math.round(options.records / 750));
  const entities = makeEntities(random, hosts, users);
  const attacks = planAttacks({
    random,
    entities,
    start: options.start,
    durationMs: options.durationMs,
    budget: Math.round(options.records * options.baseRate),
  });
  const normal = Math.max(0, options.records - attacks.length);
  const all: CorpusRecord[] = [...attacks];
  let session = 0;
  let left = normal;
  for (const [index, logType] of (Object.keys(MIX) as EvalLogType[]).entries()) {
    const count = index === Object.keys(MIX).length - 1 ? left : Math.round(normal * MIX[logType]);
    left -= count;
    for (let i = 0; i < count; i++) {
      const time = Math.floor(options.start + random.float() * options.durationMs);
      const account = random.pick(entities.accounts);
      const region = random.pick(account.regions);
      const awsStream = `${account.id}/${region}`;
      if (logType === 'cloudtrail') {
        all.push({
          logType,
          time,
          stream: awsStream,
          text: JSON.stringify(cloudTrailRecord(random, normalApiCall(random, entities, time, account.id, region))),
        });
      } else if (logType === 'vpcflow') {
        const iface = random.pick(account.interfaces);
        const text = random.chance(0.002)
          ? noDataLine(time, account.id, iface)
          : vpcFlowLine(normalFlow(random, entities, time, account.id, iface), random);
        all.push({ logType, time, stream: awsStream, text });
      } else if (logType === 'syslog') {
        all.push({ logType, time, stream: `collector-${random.int(1, 2)}`, text: normalSyslogLine(random, entities, time) });
      } else {
        session++;
        all.push({
          logType,
          time,
          stream: 'firewall',
          text: cefTrafficLine(random, normalCefTraffic(random, entities, time, `${4_000_000 + session}`)),
        });
      }
    }
  }
  const objects = layOut(random, all, entities.accounts);
  const labels = new Map<string, Label>();
  for (const object of objects) {
    object.records.forEach((r, i) => {
      if (r.label) labels.set(recordId(object.key, object.headerLines.length + i), r.label);
    });
  }
  return { objects, labels, records: all.length, hosts, users };
}

/** Records into objects per writer (log type + stream) and batch, named and ordered as AWS and a Firehose stream write them. */
function layOut(random: Prng, records: CorpusRecord[], accounts: Array<{ id: string; flowLogId: string }>): CorpusObject[] {
  const batches = new Map<string, CorpusRecord[]>();
  for (const r of records) {
    const batch = `${r.logType}|${r.stream}|${Math.floor(r.time / DELIVERY[r.logType].batchMs)}`;
    const list = batches.get(batch);
    if (list) list.push(r);
    else batches.set(batch, [r]);
  }
  const objects: CorpusObject[] = [];
  for (const [batch, list] of [...batches].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [logType, stream, index] = batch.split('|') as [EvalLogType, string, string];
    const { batchMs, delayMs } = DELIVERY[logType];
    const deliveredAt = (Number(index) + 1) * batchMs + random.int(delayMs[0], delayMs[1]);
    // CloudTrail files are not sorted by event time; the other writers append in time order
    if (logType === 'cloudtrail') random.shuffle(list);
    else list.sort((a, b) => a.time - b.time);
    const flowLogId = accounts.find((a) => stream.startsWith(a.id))?.flowLogId ?? 'fl-0';
    objects.push({
      key: keyOf(random, logType, stream, deliveredAt, flowLogId),
      logType,
      deliveredAt,
      records: list,
      headerLines: logType === 'vpcflow' ? [VPC_FLOW_HEADER] : [],
    });
  }
  return objects;
}

function keyOf(random: Prng, logType: EvalLogType, stream: string, at: number, flowLogId: string): string {
  const iso = new Date(at).toISOString();
  const [yyyy, mm, dd] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const stamp = `${yyyy}${mm}${dd}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  if (logType === 'cloudtrail' || logType === 'vpcflow') {
    const [account, region] = stream.split('/') as [string, string];
    if (logType === 'cloudtrail') {
      return `AWSLogs/${account}/CloudTrail/${region}/${yyyy}/${mm}/${dd}/${account}_CloudTrail_${region}_${stamp}_${random.hex(16).toUpperCase()}.json.gz`;
    }
    return `AWSLogs/${account}/vpcflowlogs/${region}/${yyyy}/${mm}/${dd}/${account}_vpcflowlogs_${region}_${flowLogId}_${stamp}_${random.hex(8)}.log.gz`;
  }
  const firehoseStamp = `${yyyy}-${mm}-${dd}-${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
  const folder = logType === 'syslog' ? `syslog/${stream}` : 'cef/pan-os';
  const name = logType === 'syslog' ? stream : 'pan-os';
  return `${folder}/${yyyy}/${mm}/${dd}/${iso.slice(11, 13)}/${name}-1-${firehoseStamp}-${random.uuid()}.gz`;
}

/** The object's bytes as its writer stores them: gzip, a `Records` array for CloudTrail, lines otherwise. */
export function objectBody(object: CorpusObject): Buffer {
  const text =
    object.logType === 'cloudtrail'
      ? `{"Records":[${object.records.map((r) => r.text).join(',')}]}`
      : `${[...object.headerLines, ...object.records.map((r) => r.text)].join('\n')}\n`;
  return gzipSync(text);
}
