import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const PACKAGES = ['rsyslog', 'rsyslog-gnutls'];

/**
 * The rsyslogd binary, installed from the Debian packages when it is missing and we may
 * (root with apt-get); otherwise an error that says what to install.
 */
export function findOrInstallRsyslogd(onProgress?: (message: string) => void): string {
  const found = findRsyslogd();
  if (found && hasGtls()) return found;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    throw new Error(`rsyslogd with TLS support is not installed: run \`apt-get install -y ${PACKAGES.join(' ')}\` as root`);
  }
  onProgress?.(`installing ${PACKAGES.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...PACKAGES], { stdio: 'ignore', env });
  const installed = findRsyslogd();
  if (!installed || !hasGtls())
    throw new Error(`apt-get installed ${PACKAGES.join(', ')} but rsyslogd or its gtls driver is still missing`);
  return installed;
}

function findRsyslogd(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, 'rsyslogd'))) return join(dir, 'rsyslogd');
  return undefined;
}

/** lmnsd_gtls.so is rsyslog's GnuTLS network stream driver (package rsyslog-gnutls). */
function hasGtls(): boolean {
  for (const lib of ['/usr/lib', '/usr/lib64', '/lib']) {
    let entries: string[] = [];
    try {
      entries = readdirSync(lib);
    } catch {}
    for (const e of ['rsyslog', ...entries.map((x) => join(x, 'rsyslog'))]) {
      if (existsSync(join(lib, e, 'lmnsd_gtls.so'))) return true;
    }
  }
  return false;
}
