import type { Entities } from './entities.js';
import { noiseAddress } from './entities.js';
import type { Prng } from './prng.js';

/** The default (version 2) header line VPC Flow Logs write at the top of each object. */
export const VPC_FLOW_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

export interface Flow {
  time: number;
  account: string;
  iface: string;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  protocol: 6 | 17;
  bytes: number;
  action: 'ACCEPT' | 'REJECT';
}

/** One v2 line; `start`/`end` are the aggregation interval in epoch seconds. */
export function vpcFlowLine(f: Flow, random: Prng): string {
  const start = Math.floor(f.time / 1000);
  const end = start + random.int(1, 59);
  const packets = Math.max(1, Math.round(f.bytes / random.int(600, 1400)));
  return `2 ${f.account} ${f.iface} ${f.src} ${f.dst} ${f.srcPort} ${f.dstPort} ${f.protocol} ${packets} ${f.bytes} ${start} ${end} ${f.action} OK`;
}

export function noDataLine(time: number, account: string, iface: string): string {
  const start = Math.floor(time / 1000);
  return `2 ${account} ${iface} - - - - - - - ${start} ${start + 60} - NODATA`;
}

const ephemeral = (random: Prng) => random.int(32_768, 60_999);

/**
 * Normal flows: outbound web and DNS by busy-first hosts, east-west service traffic, the
 * internet's background of single-port probes (rejected), and backups — large, normal transfers.
 */
export function normalFlow(random: Prng, e: Entities, time: number, account: string, iface: string): Flow {
  const host = e.hosts[e.hostActivity.draw(random)] as string;
  const u = random.float();
  const base = { time, account, iface };
  if (u < 0.55) {
    return {
      ...base,
      src: host,
      dst: e.internet[e.internetActivity.draw(random)] as string,
      srcPort: ephemeral(random),
      dstPort: random.chance(0.85) ? 443 : 80,
      protocol: 6,
      bytes: Math.round(random.logNormal(6_000, 1.6)),
      action: 'ACCEPT',
    };
  }
  if (u < 0.68) {
    return {
      ...base,
      src: host,
      dst: '10.40.0.2',
      srcPort: ephemeral(random),
      dstPort: 53,
      protocol: 17,
      bytes: random.int(60, 400),
      action: 'ACCEPT',
    };
  }
  if (u < 0.9) {
    return {
      ...base,
      src: host,
      dst: random.pick(e.servers),
      srcPort: ephemeral(random),
      dstPort: random.pick([5432, 6379, 8080, 443, 3306, 9092, 2049]),
      protocol: 6,
      bytes: Math.round(random.logNormal(20_000, 1.8)),
      action: 'ACCEPT',
    };
  }
  if (u < 0.997) {
    return {
      ...base,
      src: noiseAddress(random),
      dst: host,
      srcPort: ephemeral(random),
      dstPort: random.pick([22, 23, 445, 3389, 5900, 1433, 8080, 6379, 2375]),
      protocol: 6,
      bytes: random.int(40, 60),
      action: 'REJECT',
    };
  }
  return {
    ...base,
    src: host,
    dst: random.pick(e.backupTargets),
    srcPort: ephemeral(random),
    dstPort: 443,
    protocol: 6,
    bytes: Math.round(random.logNormal(250_000_000, 0.9)),
    action: 'ACCEPT',
  };
}
