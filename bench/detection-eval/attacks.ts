import { cloudTrailRecord, destructiveApiCall, failedConsoleLogin } from './cloudtrail-records.js';
import type { AttackKind, CorpusRecord, Label } from './corpus-types.js';
import { attackerAddress, type Entities } from './entities.js';
import { cefTrafficLine, sshFailureLine } from './host-log-lines.js';
import type { Prng } from './prng.js';
import { vpcFlowLine } from './vpc-flow-lines.js';

/** Share of the anomalous records each kind gets, and the fewest incidents of each kind. */
export const KIND_SHARE: Record<AttackKind, number> = {
  'port-scan': 0.35,
  'brute-force': 0.33,
  exfiltration: 0.12,
  'rare-destructive': 0.2,
};
const MIN_INCIDENTS = 3;
/** typical records per incident: sets how many incidents a kind's budget buys */
const TYPICAL_SIZE: Record<AttackKind, number> = { 'port-scan': 120, 'brute-force': 60, exfiltration: 12, 'rare-destructive': 2 };
const MIN_SIZE: Record<AttackKind, number> = { 'port-scan': 20, 'brute-force': 10, exfiltration: 3, 'rare-destructive': 1 };

export interface AttackPlan {
  random: Prng;
  entities: Entities;
  start: number;
  durationMs: number;
  /** anomalous records wanted in all */
  budget: number;
}

/**
 * Every incident of the corpus. Each kind gets its share of the budget, split over incidents
 * whose sizes are drawn log-uniformly (one incident can be ten times another's) and scaled to the
 * share, so the base rate is what was asked for while intensities vary. Incidents start after
 * the first tenth of the time span (history for the entities) and end before its end.
 */
export function planAttacks(plan: AttackPlan): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  for (const kind of Object.keys(KIND_SHARE) as AttackKind[]) {
    const sizes = incidentSizes(plan.random, kind, Math.round(plan.budget * KIND_SHARE[kind]));
    sizes.forEach((size, i) => {
      const label: Label = { kind, incident: `${kind}-${i + 1}` };
      const at = plan.start + plan.durationMs * (0.1 + 0.8 * plan.random.float());
      out.push(...incident(plan.random, plan.entities, kind, size, at, label, i));
    });
  }
  return out;
}

function incidentSizes(random: Prng, kind: AttackKind, budget: number): number[] {
  if (kind === 'rare-destructive') {
    const sizes: number[] = [];
    for (let left = Math.max(budget, 1); left > 0; ) {
      const size = Math.min(left, random.int(1, 4));
      sizes.push(size);
      left -= size;
    }
    return sizes;
  }
  // at least MIN_INCIDENTS where the budget holds that many of the smallest, never none
  const count = Math.max(1, Math.min(MIN_INCIDENTS, Math.floor(budget / MIN_SIZE[kind])), Math.round(budget / TYPICAL_SIZE[kind]));
  const weights = Array.from({ length: count }, () => random.logUniform(1, 12));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => Math.max(MIN_SIZE[kind], Math.round((w / total) * budget)));
}

/** `index`: the incident's number within its kind; the first two take each variant once, later ones draw theirs. */
function incident(random: Prng, e: Entities, kind: AttackKind, size: number, at: number, label: Label, index: number): CorpusRecord[] {
  const variant = (share: number) => (index < 2 ? index === 1 : random.chance(share));
  const account = random.pick(e.accounts);
  const region = random.pick(account.regions);
  const awsStream = `${account.id}/${region}`;
  const spread = (durationMs: number) => Array.from({ length: size }, () => at + random.float() * durationMs).sort((a, b) => a - b);
  switch (kind) {
    case 'port-scan': {
      const fromOutside = random.chance(0.6);
      const src = fromOutside ? attackerAddress(random) : (e.hosts[random.int(0, e.hosts.length - 1)] as string);
      const dst = e.hosts[random.int(0, e.hosts.length - 1)] as string;
      const firstPort = random.int(1, 2_000);
      const viaFirewall = variant(0.3);
      const iface = random.pick(account.interfaces);
      return spread(random.logUniform(60_000, 900_000)).map((time, i) => {
        const dstPort = firstPort + i;
        const action = random.chance(0.85) ? 'REJECT' : 'ACCEPT';
        const text = viaFirewall
          ? cefTrafficLine(random, {
              time,
              device: random.pick(e.firewalls),
              src,
              dst,
              dstPort,
              action: action === 'REJECT' ? 'deny' : 'allow',
              bytesOut: random.int(40, 80),
              bytesIn: 0,
              sessionId: `${label.incident}-${i}-${random.hex(6)}`,
            })
          : vpcFlowLine(
              {
                time,
                account: account.id,
                iface,
                src,
                dst,
                srcPort: random.int(40_000, 60_000),
                dstPort,
                protocol: 6,
                bytes: random.int(40, 60),
                action,
              },
              random,
            );
        return { logType: viaFirewall ? 'cef' : 'vpcflow', time, stream: viaFirewall ? 'firewall' : awsStream, text, label };
      });
    }
    case 'exfiltration': {
      const src = e.hosts[random.int(0, e.hosts.length - 1)] as string;
      const dst = attackerAddress(random);
      const dstPort = random.pick([443, 22, 8443, 21]);
      const iface = random.pick(account.interfaces);
      return spread(random.logUniform(300_000, 2_400_000)).map((time) => ({
        logType: 'vpcflow',
        time,
        stream: awsStream,
        text: vpcFlowLine(
          {
            time,
            account: account.id,
            iface,
            src,
            dst,
            srcPort: random.int(40_000, 60_000),
            dstPort,
            protocol: 6,
            bytes: Math.round(random.logNormal(90_000_000, 0.8)),
            action: 'ACCEPT',
          },
          random,
        ),
        label,
      }));
    }
    case 'brute-force': {
      const attacker = attackerAddress(random);
      const times = spread(random.logUniform(90_000, 1_200_000));
      if (variant(0.35)) {
        const host = e.linuxHosts[random.int(0, e.linuxHosts.length - 1)] as string;
        return times.map((time) => ({
          logType: 'syslog',
          time,
          stream: 'collector-1',
          text: sshFailureLine(random, time, host, attacker, random.pick(['root', 'admin', 'oracle', 'postgres', 'ubuntu', 'test', 'git'])),
          label,
        }));
      }
      const targets = Array.from({ length: random.int(1, 3) }, () =>
        random.chance(0.7) ? random.pick(e.users) : random.pick(['admin', 'administrator', 'root-admin']),
      );
      return times.map((time) => ({
        logType: 'cloudtrail',
        time,
        stream: awsStream,
        text: JSON.stringify(cloudTrailRecord(random, failedConsoleLogin(time, account.id, region, random.pick(targets), attacker))),
        label,
      }));
    }
    case 'rare-destructive': {
      const actor = random.chance(0.7) ? random.pick(e.users) : `svc-${random.hex(5)}`;
      const ip = attackerAddress(random);
      return spread(random.logUniform(20_000, 600_000)).map((time) => ({
        logType: 'cloudtrail',
        time,
        stream: awsStream,
        text: JSON.stringify(cloudTrailRecord(random, destructiveApiCall(random, time, account.id, region, actor, ip))),
        label,
      }));
    }
  }
}
