import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../src/config/schema.js';
import { fetchEmulatorStats } from '../src/dev/emulator-stats.js';
import type { LocalStack } from '../src/dev/local-stack.js';
import { type SampleObject, uploadSampleObjects } from '../src/dev/sample-logs.js';
import { createS3Client } from '../src/stages/s3-source/s3-client.js';
import { type ProfileSummary, profileIn, summariseProfile } from './cpu-profile.js';
import { measureMaxRate } from './e2e-max-rate.js';
import { startPipeline } from './e2e-pipeline.js';
import { oneMinuteLoad } from './e2e-report.js';

export interface StageProfile {
  cpuMicrosPerEvent: number;
  /** µs per event by kind of thread */
  cpuMicrosPerEventByThread: Record<string, number>;
  profile: ProfileSummary;
  profileFile: string;
}

/**
 * The max-rate phase with every stage under `node --cpu-prof`: CPU per event per stage and each
 * stage's hottest functions. The profiler slows the stages a little; rates come from the plain run.
 */
export async function profilePipeline(
  stack: LocalStack,
  topology: Topology,
  samples: SampleObject[],
  runId: string,
  startedAt: string,
  say: (m: string) => void,
): Promise<string> {
  const records = samples.reduce((n, s) => n + s.valid, 0);
  const bucket = topology.source.s3.bucket;
  await uploadSampleObjects(createS3Client(topology.source.s3), bucket, samples);
  const acceptedBefore = (await fetchEmulatorStats(stack.emulatorUrl, stack.emulatorCaFile)).totalRecords;
  const dir = join('bench/results/profiles', `e2e-${startedAt.slice(0, 19).replaceAll(':', '')}Z`);
  const load = { start: oneMinuteLoad(), end: 0 };
  const started = Date.now();
  const running = startPipeline(topology, dir);
  let cpu: Record<string, number>;
  let threads: Record<string, Record<string, number>>;
  let steady: number;
  try {
    const max = await measureMaxRate({
      stack,
      pipeline: running,
      bucket,
      runId,
      records,
      acceptedBefore,
      startedAt: started,
      progress: (n) => say(`[profile] ${n}/${records} accepted by the emulator`),
    });
    steady = max.steady.perSecond;
    cpu = running.cpuSeconds();
    threads = running.cpuByThread();
    load.end = oneMinuteLoad();
  } finally {
    await running.stop();
  }
  const stages: Record<string, StageProfile> = {};
  const lines = [
    `\nprofiles of ${records} records at the maximum rate (${Math.round(steady)} events/s steady under the profiler; load average ${load.start.toFixed(1)} → ${load.end.toFixed(1)}):`,
  ];
  for (const [stage, seconds] of Object.entries(cpu)) {
    const profileFile = profileIn(join(dir, stage));
    const profile = summariseProfile(profileFile);
    const byThread = Object.fromEntries(Object.entries(threads[stage] ?? {}).map(([k, v]) => [k, (v * 1e6) / records]));
    stages[stage] = { cpuMicrosPerEvent: (seconds * 1e6) / records, cpuMicrosPerEventByThread: byThread, profile, profileFile };
    lines.push(
      `\n${stage}: ${((seconds * 1e6) / records).toFixed(1)} CPU µs/event (${Object.entries(byThread)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}); main thread busy ${(profile.busyShare * 100).toFixed(0)}% of ${profile.sampledSeconds.toFixed(1)} s`,
      `  by area: ${profile.byArea
        .slice(0, 8)
        .map((a) => `${a.area} ${(a.share * 100).toFixed(1)}%`)
        .join(', ')}`,
      ...profile.topFrames.map((f) => `  ${(f.selfShare * 100).toFixed(1).padStart(5)}%  ${f.name}  (${f.where})`),
    );
  }
  const file = join('bench/results', `profile-${startedAt.slice(0, 19).replaceAll(':', '')}Z.json`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt, records, steadyEventsPerSecondUnderProfiler: steady, loadAverage1m: load, stages }, null, 2)}\n`,
  );
  lines.push(`\nsummary in ${file}; the profiles (open in Chrome DevTools or speedscope) under ${dir}`);
  return lines.join('\n');
}
