import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, findExecutable } from '../debian-packages.js';

const PACKAGES = ['rsyslog', 'rsyslog-gnutls'];

/** The rsyslogd binary with its TLS driver, installed from Debian's packages when missing (see ensureDebianPackages). */
export function findOrInstallRsyslogd(onProgress?: (message: string) => void): string {
  ensureDebianPackages(PACKAGES, () => findExecutable('rsyslogd') !== undefined && hasGtls(), onProgress);
  return findExecutable('rsyslogd') as string;
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
