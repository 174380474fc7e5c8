import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, run, withFetchLock } from '../stack/cache.js';
import { debianMirror } from './debian-mirror.js';
import { imageExists, podman, podmanBuild } from './podman.js';

/** The Debian release of the local base (its Node.js is 20.19). */
const SUITE = 'trixie';
export const DEBIAN_IMAGE = `localhost/siem-stream-debian:${SUITE}`;
export const LOCAL_BASE_IMAGE = `localhost/siem-stream-node-base:${SUITE}`;
const EXTRA_CA_DIR = '/usr/local/share/ca-certificates';

/**
 * A stand-in for node:20-slim made from Debian's packages alone: a minimal Debian from debootstrap
 * (made once, kept as a tarball in the download cache), imported into podman, with Node.js and
 * npm added by deploy/local-base.Containerfile (podman's layer cache makes that a no-op later).
 */
export async function ensureLocalBase(repoRoot: string, progress: (message: string) => void): Promise<string> {
  if (!(await imageExists(DEBIAN_IMAGE))) {
    const tarball = await debianRootfsTarball(progress);
    progress(`importing ${tarball} as ${DEBIAN_IMAGE}`);
    await podman(['import', tarball, DEBIAN_IMAGE]);
  }
  const context = mkdtempSync(join(tmpdir(), 'siem-stream-base-'));
  try {
    // the machine's own certificate authorities (a TLS-inspecting proxy) go into the base
    mkdirSync(join(context, 'extra-ca-certificates'));
    if (existsSync(EXTRA_CA_DIR)) {
      for (const name of readdirSync(EXTRA_CA_DIR).filter((n) => n.endsWith('.crt'))) {
        copyFileSync(join(EXTRA_CA_DIR, name), join(context, 'extra-ca-certificates', name));
      }
    }
    progress(`building ${LOCAL_BASE_IMAGE} (Node.js and npm from Debian ${SUITE})`);
    await podmanBuild(
      [
        '--file',
        join(repoRoot, 'deploy', 'local-base.Containerfile'),
        '--build-arg',
        `DEBIAN_IMAGE=${DEBIAN_IMAGE}`,
        '--tag',
        LOCAL_BASE_IMAGE,
        context,
      ],
      progress,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return LOCAL_BASE_IMAGE;
}

/** `<cache>/image/debian-<suite>-minbase.tar`: debootstrap's minimal Debian, made on first use. */
async function debianRootfsTarball(progress: (message: string) => void): Promise<string> {
  const dir = join(cacheDir(), 'image');
  const tarball = join(dir, `debian-${SUITE}-minbase.tar`);
  if (existsSync(tarball)) return tarball;
  return withFetchLock(progress, async () => {
    if (existsSync(tarball)) return tarball;
    mkdirSync(dir, { recursive: true });
    const work = join(dir, `.work-${SUITE}-${process.pid}`);
    rmSync(work, { recursive: true, force: true });
    try {
      const mirror = debianMirror();
      progress(`debootstrap --variant=minbase ${SUITE} from ${mirror} (once; about a minute)`);
      await run('debootstrap', ['--variant=minbase', SUITE, join(work, 'rootfs'), mirror]);
      await run('tar', ['-C', join(work, 'rootfs'), '-cf', join(work, 'rootfs.tar'), '.']);
      renameSync(join(work, 'rootfs.tar'), tarball);
      return tarball;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}
