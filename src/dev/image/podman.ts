import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, findExecutable } from '../debian-packages.js';
import { cacheDir, run } from '../stack/cache.js';

const TOOLS = ['podman', 'runc', 'debootstrap'];

/** podman with the runc runtime, and debootstrap for the local base, from Debian's packages. */
export function ensureContainerTools(onProgress?: (message: string) => void): void {
  ensureDebianPackages(TOOLS, () => TOOLS.every((tool) => findExecutable(tool) !== undefined), onProgress);
}

// Machines without systemd (containers, CI runners) have no systemd cgroup manager, and podman's
// default open-files ulimit can exceed the hard limit such a machine grants, which runc refuses.
const CONTAINERS_CONF = `# written by siem-stream (src/dev/image/podman.ts)
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
`;

/** The containers.conf every podman call of the project uses (named by CONTAINERS_CONF). */
export function containersConf(): string {
  const file = join(cacheDir(), 'image', 'containers.conf');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== CONTAINERS_CONF) {
    mkdirSync(join(cacheDir(), 'image'), { recursive: true });
    writeFileSync(file, CONTAINERS_CONF);
  }
  return file;
}

export function podmanEnv(): NodeJS.ProcessEnv {
  return { ...process.env, CONTAINERS_CONF: containersConf() };
}

/** Runs podman to completion, line by line; the error carries its last lines. */
export function podman(args: string[], onLine: (line: string) => void = () => {}): Promise<void> {
  return run('podman', args, onLine, podmanEnv());
}

/** `podman build` with the project's settings, one progress line per build step. */
export function podmanBuild(args: string[], progress: (message: string) => void): Promise<void> {
  return podman(['build', ...args], (line) => {
    const step = /^(?:\[\d+\/\d+\] )?STEP \d+\/\d+: .*/.exec(line);
    if (step) progress(step[0].length > 160 ? `${step[0].slice(0, 157)}…` : step[0]);
  });
}

/** Whether the image exists in podman's local storage. */
export function imageExists(image: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('podman', ['image', 'exists', image], { env: podmanEnv() }, (error) => resolve(!error));
  });
}
