import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An executable on PATH (or in the sbin folders Debian puts daemons in). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/**
 * Tools the tests run for real (rsyslog, Prometheus) come from Debian's packages: installed with
 * apt-get when missing and we may (root), otherwise an error that says what to install.
 */
export function ensureDebianPackages(packages: string[], present: () => boolean, onProgress?: (message: string) => void): void {
  if (present()) return;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) throw new Error(`missing Debian package(s): run \`apt-get install -y ${packages.join(' ')}\` as root`);
  onProgress?.(`installing ${packages.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'ignore', env });
  if (!present()) throw new Error(`apt-get installed ${packages.join(', ')} but what they provide is still missing`);
}

/** promtool and prometheus, for the alert-rule checks and the scrape test. */
export function ensurePrometheus(onProgress?: (message: string) => void): void {
  ensureDebianPackages(
    ['prometheus'],
    () => findExecutable('promtool') !== undefined && findExecutable('prometheus') !== undefined,
    onProgress,
  );
}
