import { isIPv4, isIPv6 } from 'node:net';

export interface IpPrefixLengths {
  ipv4: number;
  ipv6: number;
}

/**
 * The network part of an IP address: host bits zeroed, the result still an address (so a column
 * or an ASIM parser expecting an IP keeps working). IPv4-mapped IPv6 addresses are cut with the
 * IPv4 length, since their IPv6 prefix is always the same. Returns undefined for anything else.
 */
export function ipPrefix(value: string, lengths: IpPrefixLengths): string | undefined {
  if (isIPv4(value)) return formatIpv4(cut(ipv4Bytes(value), lengths.ipv4));
  const address = value.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names a local interface
  if (!isIPv6(address)) return undefined;
  const bytes = ipv6Bytes(address);
  if (isIpv4Mapped(bytes)) return `::ffff:${formatIpv4(cut(bytes.slice(12), lengths.ipv4))}`;
  return formatIpv6(cut(bytes, lengths.ipv6));
}

function cut(bytes: number[], prefixBits: number): number[] {
  return bytes.map((byte, i) => {
    const keep = Math.min(8, Math.max(0, prefixBits - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function formatIpv4(bytes: number[]): string {
  return bytes.join('.');
}

function ipv6Bytes(address: string): number[] {
  // an embedded IPv4 tail (::ffff:192.0.2.1) is the last two groups written in dotted form
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((n) => n.toString(16)).join(':'),
  );
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const missing = 8 - groups(head).length - groups(rest).length;
  const all = rest === undefined ? groups(head) : [...groups(head), ...Array<string>(missing).fill('0'), ...groups(rest)];
  return all.flatMap((g) => {
    const n = Number.parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function isIpv4Mapped(bytes: number[]): boolean {
  return bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (two or more) of zero groups as "::". */
function formatIpv6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] as number) << 8) | (bytes[2 * i + 1] as number)).toString(16));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}
