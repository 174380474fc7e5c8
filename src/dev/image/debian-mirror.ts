import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const FALLBACK = 'http://deb.debian.org/debian';

/**
 * The Debian mirror this machine's apt uses (its main archive, not the security one), so the local
 * base comes from where apt already reaches; SIEM_STREAM_DEBIAN_MIRROR overrides it.
 */
export function debianMirror(): string {
  if (process.env.SIEM_STREAM_DEBIAN_MIRROR) return process.env.SIEM_STREAM_DEBIAN_MIRROR;
  for (const file of aptSourceFiles()) {
    const uri = mainArchiveUri(readFileSync(file, 'utf8'));
    if (uri) return uri;
  }
  return FALLBACK;
}

function aptSourceFiles(): string[] {
  const files = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) files.push(...readdirSync(dir).map((name) => join(dir, name)));
  return files.filter((file) => existsSync(file) && /(sources\.list|\.list|\.sources)$/.test(file));
}

/** The first non-security URI of one-line (`deb URI suite …`) or deb822 (`URIs: …`) sources. */
export function mainArchiveUri(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const oneLine = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/.exec(line);
    const deb822 = /^URIs:\s*(\S+)/i.exec(line);
    const uri = oneLine?.[1] ?? deb822?.[1];
    if (uri && /^https?:\/\//.test(uri) && !/security/.test(uri)) return uri.replace(/\/+$/, '');
  }
  return undefined;
}
