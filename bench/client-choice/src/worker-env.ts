/** What a worker process is told to do (environment), and how it reports (JSON lines on stdout). */
export type Mode = 'produce' | 'consume' | 'hop';

export interface WorkerEnv {
  mode: Mode;
  brokers: string[];
  input: string;
  output: string;
  group: string;
  transactionalId: string;
  /** produce: how many to write; consume/hop: stop after this many (0 = run until killed) */
  records: number;
  /** records per transaction (the project's parser/enricher default) */
  chunk: number;
  /** hop only: records/s this instance may process (0 = unlimited); chaos runs use it to last long enough for the faults */
  maxRate: number;
  requestTimeoutMs: number;
  sessionTimeoutMs: number;
  label: string;
}

export function workerEnv(): WorkerEnv {
  const e = process.env;
  return {
    mode: (e.CC_MODE ?? 'hop') as Mode,
    brokers: (e.CC_BROKERS ?? '').split(',').filter(Boolean),
    input: e.CC_IN ?? '',
    output: e.CC_OUT ?? '',
    group: e.CC_GROUP ?? '',
    transactionalId: e.CC_TXN_ID ?? '',
    records: Number(e.CC_RECORDS ?? 0),
    chunk: Number(e.CC_CHUNK ?? 500),
    maxRate: Number(e.CC_MAX_RATE ?? 0),
    requestTimeoutMs: Number(e.CC_REQUEST_TIMEOUT_MS ?? 10_000),
    sessionTimeoutMs: Number(e.CC_SESSION_TIMEOUT_MS ?? 10_000),
    label: e.CC_LABEL ?? 'worker',
  };
}

export function report(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), event, ...data })}\n`);
}

/** Wall time and process CPU (all threads: librdkafka's too) from the first record to the last. */
export class Meter {
  private startedAt = 0;
  private cpu0: NodeJS.CpuUsage | undefined;
  count = 0;

  start(): void {
    if (this.cpu0) return;
    this.startedAt = performance.now();
    this.cpu0 = process.cpuUsage();
  }

  result(): { records: number; ms: number; cpuMs: number; recordsPerSec: number; cpuSecPer100k: number } {
    const ms = performance.now() - this.startedAt;
    const cpu = process.cpuUsage(this.cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      records: this.count,
      ms: Math.round(ms),
      cpuMs: Math.round(cpuMs),
      recordsPerSec: Math.round((this.count * 1000) / ms),
      cpuSecPer100k: Number(((cpuMs / 1000) * (100_000 / this.count)).toFixed(3)),
    };
  }
}

/** Sleeps so that `done` records since `since` stay at or below `rate` per second. */
export async function pace(done: number, since: number, rate: number): Promise<void> {
  if (rate <= 0) return;
  const due = since + (done * 1000) / rate;
  const wait = due - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
