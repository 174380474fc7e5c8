import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';

export interface Instance {
  id: string;
  stage: string;
  child: ChildProcess;
  /** a storm's extra member: not restarted when it dies */
  ephemeral: boolean;
  paused: boolean;
  startedAt: number;
}

export interface ExitRecord {
  stage: string;
  id: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Runs each stage as its own processes from the built CLI, as a Kubernetes Deployment would:
 * an instance that exits (killed, crashed, stopped itself) is started again after a short back-off,
 * until the supervisor is stopping. Every exit is recorded, so the report can say what happened.
 */
export class StageSupervisor {
  private readonly instances = new Map<string, Instance>();
  private readonly exits: ExitRecord[] = [];
  private stopping = false;
  private sequence = 0;

  constructor(
    private readonly cli: string,
    private readonly topologyFile: string,
    private readonly logDir: string,
    private readonly env: Record<string, string> = {},
    private readonly restartDelayMs = 1_000,
  ) {}

  start(stage: string, options: { ephemeral?: boolean } = {}): Instance {
    const id = `${stage}-${++this.sequence}`;
    const log = openSync(join(this.logDir, `${stage}.log`), 'a');
    const child = spawn(process.execPath, [this.cli, 'run', this.topologyFile, '--stage', stage, '--metrics-port', '0'], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
    });
    const instance: Instance = { id, stage, child, ephemeral: options.ephemeral ?? false, paused: false, startedAt: Date.now() };
    this.instances.set(id, instance);
    child.once('exit', (code, signal) => {
      this.instances.delete(id);
      this.exits.push({ stage, id, code, signal });
      if (!this.stopping && !instance.ephemeral) setTimeout(() => this.stopping || this.start(stage), this.restartDelayMs);
    });
    return instance;
  }

  running(stage?: string): Instance[] {
    return [...this.instances.values()].filter((i) => (stage === undefined || i.stage === stage) && !i.paused);
  }

  signal(instance: Instance, signal: NodeJS.Signals): void {
    if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill(signal);
  }

  pause(instance: Instance): void {
    instance.paused = true;
    this.signal(instance, 'SIGSTOP');
  }

  resume(instance: Instance): void {
    this.signal(instance, 'SIGCONT');
    instance.paused = false;
  }

  exitsOf(stage: string): ExitRecord[] {
    return this.exits.filter((e) => e.stage === stage);
  }

  /** Graceful stop of everything (SIGTERM, then SIGKILL after the deadline). */
  async stopAll(deadlineMs = 20_000): Promise<void> {
    this.stopping = true;
    const all = [...this.instances.values()];
    for (const i of all) {
      if (i.paused) this.signal(i, 'SIGCONT');
      this.signal(i, 'SIGTERM');
    }
    await Promise.all(
      all.map(
        (i) =>
          new Promise<void>((resolve) => {
            if (i.child.exitCode !== null || i.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => i.child.kill('SIGKILL'), deadlineMs);
            i.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }
}
