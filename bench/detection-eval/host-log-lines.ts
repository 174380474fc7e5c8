import type { Entities } from './entities.js';
import { noiseAddress } from './entities.js';
import type { Prng } from './prng.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The RFC 3164 timestamp (UTC) as rsyslog writes it: `Dec  7 09:13:01`. */
export function bsdTimestamp(time: number): string {
  const d = new Date(time);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[d.getUTCMonth()]} ${day} ${d.toISOString().slice(11, 19)}`;
}

/** `<PRI>Mmm dd hh:mm:ss host tag[pid]: message`; 86 = authpriv.info, 78 = cron.info, 30 = daemon.info. */
function syslogLine(pri: number, time: number, host: string, tag: string, pid: number, message: string): string {
  return `<${pri}>${bsdTimestamp(time)} ${host} ${tag}[${pid}]: ${message}`;
}

/** A line of a Linux fleet's auth and system log: sshd sessions, sudo, cron, systemd, the odd typo and probe. */
export function normalSyslogLine(random: Prng, e: Entities, time: number): string {
  const host = e.linuxHosts[e.linuxActivity.draw(random)] as string;
  const pid = random.int(900, 65_000);
  const from = e.hosts[e.hostActivity.draw(random)] as string;
  const user = random.pick(['ec2-user', 'ubuntu', 'deploy', 'ansible']);
  const u = random.float();
  if (u < 0.22) {
    return syslogLine(
      86,
      time,
      host,
      'sshd',
      pid,
      `Accepted publickey for ${user} from ${from} port ${random.int(32_768, 60_999)} ssh2: RSA SHA256:${random.hex(43)}`,
    );
  }
  if (u < 0.42)
    return syslogLine(
      86,
      time,
      host,
      'sshd',
      pid,
      `pam_unix(sshd:session): session ${random.chance(0.5) ? 'opened' : 'closed'} for user ${user}${random.chance(0.5) ? ' by (uid=0)' : ''}`,
    );
  if (u < 0.58)
    return syslogLine(
      78,
      time,
      host,
      'CROND',
      pid,
      `(root) CMD (${random.pick(['/usr/lib64/sa/sa1 1 1', 'run-parts /etc/cron.hourly', '/usr/local/bin/backup.sh'])})`,
    );
  if (u < 0.74)
    return syslogLine(
      30,
      time,
      host,
      'systemd',
      1,
      `${random.pick(['Started', 'Finished'])} Session ${random.int(1, 90_000)} of user ${user}.`,
    );
  if (u < 0.86) {
    return syslogLine(
      86,
      time,
      host,
      'sudo',
      pid,
      `${user} : TTY=pts/${random.int(0, 3)} ; PWD=/home/${user} ; USER=root ; COMMAND=/bin/systemctl restart ${random.pick(['nginx', 'app', 'node_exporter'])}`,
    );
  }
  if (u < 0.95) return syslogLine(86, time, host, 'sshd', pid, `Connection closed by ${from} port ${random.int(32_768, 60_999)} [preauth]`);
  if (u < 0.985)
    return syslogLine(
      86,
      time,
      host,
      'sshd',
      pid,
      `Invalid user ${random.pick(['admin', 'test', 'oracle', 'pi'])} from ${noiseAddress(random)} port ${random.int(1_024, 65_000)}`,
    );
  return syslogLine(86, time, host, 'sshd', pid, `Failed password for ${user} from ${from} port ${random.int(32_768, 60_999)} ssh2`);
}

/** One guess of an sshd password brute force. */
export function sshFailureLine(random: Prng, time: number, host: string, attacker: string, user: string): string {
  const invalid = !['root', 'ec2-user', 'ubuntu'].includes(user);
  return syslogLine(
    86,
    time,
    host,
    'sshd',
    random.int(900, 65_000),
    `Failed password for ${invalid ? 'invalid user ' : ''}${user} from ${attacker} port ${random.int(1_024, 65_000)} ssh2`,
  );
}

export interface CefTraffic {
  time: number;
  device: string;
  src: string;
  dst: string;
  dstPort: number;
  action: 'allow' | 'deny';
  bytesOut: number;
  bytesIn: number;
  sessionId: string;
  user?: string;
}

/** A PAN-OS TRAFFIC log in CEF over syslog, as a firewall forwards it. */
export function cefTrafficLine(random: Prng, t: CefTraffic): string {
  const ext = [
    `rt=${t.time}`,
    `deviceExternalId=0${random.int(10_000_000, 99_999_999)}`,
    `src=${t.src}`,
    `dst=${t.dst}`,
    `spt=${random.int(1_024, 65_000)}`,
    `dpt=${t.dstPort}`,
    'proto=TCP',
    `act=${t.action}`,
    `out=${t.bytesOut}`,
    `in=${t.bytesIn}`,
    ...(t.user ? [`suser=${t.user}`] : []),
    `cs1Label=Rule cs1=${t.action === 'allow' ? 'allow-outbound-web' : 'default-deny'}`,
    `cs3Label=Virtual System cs3=vsys1`,
    `cat=${t.dstPort === 443 ? 'ssl' : 'not-resolved'}`,
    `externalId=${t.sessionId}`,
  ].join(' ');
  const severity = t.action === 'deny' ? 3 : 1;
  return `<14>${bsdTimestamp(t.time)} ${t.device} CEF:0|Palo Alto Networks|PAN-OS|10.2.4|TRAFFIC|end|${severity}|${ext}`;
}

export function normalCefTraffic(random: Prng, e: Entities, time: number, sessionId: string): CefTraffic {
  const src = e.hosts[e.hostActivity.draw(random)] as string;
  const denied = random.chance(0.04);
  return {
    time,
    device: random.pick(e.firewalls),
    src,
    dst: e.internet[e.internetActivity.draw(random)] as string,
    dstPort: denied ? random.pick([25, 6667, 4444, 53]) : random.pick([443, 443, 443, 80, 8443]),
    action: denied ? 'deny' : 'allow',
    bytesOut: Math.round(random.logNormal(3_000, 1.4)),
    bytesIn: Math.round(random.logNormal(30_000, 1.8)),
    sessionId,
    ...(random.chance(0.4) ? { user: `corp\\${e.users[e.userActivity.draw(random)]}` } : {}),
  };
}
