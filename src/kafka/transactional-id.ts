import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KafkaConfig } from '../config/schema.js';

/**
 * The transactional id of this process's producer for one stage: `<prefix>-<instance>`. The
 * instance is `kafka.instanceId` when set (a StatefulSet pod name), else `<host>-<slot>`, where
 * the slot is the lowest one no live process on this host holds for this prefix. So a process
 * started again after a crash on the same host takes its predecessor's id back, and its
 * InitProducerId aborts the transaction the crash left open at once, instead of read_committed
 * readers waiting for the broker to time it out; processes running side by side get distinct ids.
 */
export function transactionalIdFor(prefix: string, config: KafkaConfig): string {
  return `${prefix}-${config.instanceId ?? `${hostname()}-${claimSlot(prefix)}`}`;
}

const SLOTS_DIR = join(tmpdir(), 'siem-stream-instance-slots');

function claimSlot(prefix: string): number {
  const dir = join(SLOTS_DIR, prefix.replace(/[^A-Za-z0-9._-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  for (let slot = 0; ; slot++) {
    const file = join(dir, `${slot}.pid`);
    if (tryClaim(file)) {
      process.once('exit', () => rmSync(file, { force: true }));
      return slot;
    }
  }
}

function tryClaim(file: string): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    // held: by a live process, or left by one that died (then taken over below)
  }
  if (alive(holderOf(file))) return false;
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  renameSync(mine, file);
  // two processes taking over the same stale slot at once: the last rename wins, the other moves on
  return holderOf(file) === process.pid;
}

function holderOf(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
