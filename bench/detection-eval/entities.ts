import { type Prng, Zipf } from './prng.js';

/** The population of the evaluated environment: who and what produces the logs, and how busy each is. */
export interface Entities {
  accounts: Array<{ id: string; regions: string[]; flowLogId: string; interfaces: string[] }>;
  users: string[];
  roles: string[];
  /** internal addresses, busiest first (Zipf) */
  hosts: string[];
  servers: string[];
  /** public addresses normal traffic goes to, busiest first */
  internet: string[];
  /** S3 and backup endpoints: big transfers that are normal */
  backupTargets: string[];
  linuxHosts: string[];
  firewalls: string[];
  userActivity: Zipf;
  hostActivity: Zipf;
  internetActivity: Zipf;
  linuxActivity: Zipf;
}

const FIRST = [
  'ana',
  'ben',
  'chloe',
  'dev',
  'eli',
  'fatima',
  'goran',
  'hana',
  'ivan',
  'jun',
  'kofi',
  'lena',
  'mia',
  'nils',
  'omar',
  'priya',
];
const LAST = ['okafor', 'schmidt', 'tanaka', 'silva', 'novak', 'haddad', 'kim', 'moreau', 'rossi', 'lindqvist', 'patel', 'garcia'];
const ROLES = ['ci-deployer', 'etl-lambda', 'eks-node', 'backup-runner', 'monitoring-reader', 'data-platform', 'config-recorder'];

export function makeEntities(random: Prng, hostCount: number, userCount: number): Entities {
  const accounts = ['210987654321', '356789012345'].map((id) => ({
    id,
    regions: ['us-east-1', 'eu-west-1'],
    flowLogId: `fl-${random.hex(17)}`,
    interfaces: Array.from({ length: 40 }, () => `eni-${random.hex(17)}`),
  }));
  const users = Array.from(
    new Set(Array.from({ length: userCount * 2 }, (_, i) => `${random.pick(FIRST)}.${random.pick(LAST)}${i % 7 === 0 ? i : ''}`)),
  ).slice(0, userCount);
  const hosts = Array.from({ length: hostCount }, (_, i) => `10.${40 + (i % 4)}.${Math.floor(i / 250) % 250}.${10 + (i % 240)}`);
  const servers = Array.from({ length: 24 }, (_, i) => `10.${40 + (i % 4)}.200.${20 + i}`);
  const internet = Array.from(
    { length: 400 },
    () => `${random.pick([13, 18, 34, 35, 52, 104, 142, 151, 172, 199])}.${random.int(1, 254)}.${random.int(0, 255)}.${random.int(1, 254)}`,
  );
  const linuxHosts = Array.from({ length: Math.max(12, Math.round(hostCount / 10)) }, (_, i) => `ip-10-41-${i % 250}-${20 + (i % 200)}`);
  return {
    accounts,
    users,
    roles: ROLES,
    hosts,
    servers,
    internet,
    backupTargets: ['52.216.8.10', '52.217.44.99', '3.5.0.18'],
    linuxHosts,
    firewalls: ['pa-fw-edge-01', 'pa-fw-edge-02'],
    userActivity: new Zipf(users.length, 1.15),
    hostActivity: new Zipf(hosts.length, 1.0),
    internetActivity: new Zipf(internet.length, 1.3),
    linuxActivity: new Zipf(linuxHosts.length, 0.9),
  };
}

/** An address from ranges the normal population never uses: where attacks come from or go to. */
export function attackerAddress(random: Prng): string {
  return `${random.pick([45, 91, 185, 193, 194])}.${random.int(1, 254)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}

/** An internet address that probes a single port now and then (background noise every VPC sees). */
export function noiseAddress(random: Prng): string {
  return `${random.pick([5, 23, 62, 80, 89, 103, 112, 117, 141, 167, 176, 212])}.${random.int(1, 254)}.${random.int(0, 255)}.${random.int(1, 254)}`;
}
