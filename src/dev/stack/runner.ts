import { assertPortsFree, waitHealthy } from './health.js';
import { findJava, spawnDetached } from './java.js';
import { runningPid, unitMarker } from './process-files.js';
import type { ServiceDef, StackContext } from './service.js';

export interface ServiceState {
  pids: Record<string, number>;
  /** Milliseconds until healthy, when this call started something. */
  startedInMs?: number;
}

/**
 * Brings one service to healthy: units already running (per pid file) are kept, the others are
 * started; then waits for the service's health check.
 */
export async function ensureService(def: ServiceDef, ctx: StackContext): Promise<ServiceState> {
  const units = def.units(ctx);
  const dead = units.filter((u) => runningPid(ctx.home, u.id) === undefined);
  const started = Date.now();
  if (dead.length > 0) {
    // Fail fast (before any download) on a missing Java or a port held by someone else.
    const java = def.javaMin === undefined ? undefined : findJava(def.javaMin, def.label);
    await assertPortsFree(dead.flatMap((u) => u.ports));
    const launches = await def.prepare(ctx, dead);
    for (const unit of dead) {
      const launch = launches.get(unit.id);
      if (!launch) throw new Error(`${def.name}: no launch arguments for ${unit.id}`);
      let pid: number;
      let runtime: string;
      if (Array.isArray(launch)) {
        if (!java) throw new Error(`${def.name}: JVM arguments for ${unit.id}, but the service declares no javaMin`);
        pid = spawnDetached({ home: ctx.home, unit: unit.id, program: java.bin, args: [unitMarker(ctx.home, unit.id), ...launch] });
        runtime = `Java ${java.major}`;
      } else {
        pid = spawnDetached({ home: ctx.home, unit: unit.id, ...launch });
        runtime = launch.program;
      }
      ctx.progress(
        `${def.name}: started ${def.label} as ${unit.id} (pid ${pid}, ${runtime}) on ${unit.ports.map((p) => p.port).join('/')}`,
      );
    }
  } else if (await def.healthy(ctx).catch(() => false)) {
    return { pids: pidsOf(def, ctx) };
  }
  const ms = await waitHealthy({
    service: def.label,
    home: ctx.home,
    units: units.map((u) => u.id),
    timeoutMs: def.startTimeoutMs,
    check: () => def.healthy(ctx),
  });
  if (dead.length > 0) ctx.progress(`${def.name}: healthy at ${def.endpoint(ctx)} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  return { pids: pidsOf(def, ctx), startedInMs: dead.length > 0 ? Date.now() - started : ms };
}

function pidsOf(def: ServiceDef, ctx: StackContext): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const u of def.units(ctx)) {
    const pid = runningPid(ctx.home, u.id);
    if (pid !== undefined) pids[u.id] = pid;
  }
  return pids;
}
