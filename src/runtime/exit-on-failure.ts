import { SiemStreamError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { reportFailed } from '../observability/readiness.js';

export interface FailingStage {
  name: string;
  failed: Promise<never>;
}

/** Bound on the clean stop of the other stages after a fatal failure; the process exits 1 at the latest then. */
export const FAILURE_EXIT_DEADLINE_MS = 10_000;

let exiting = false;

/**
 * A stage that stopped for good must not linger as a live process that does nothing: /readyz fails
 * at once, the other stages of the process get a bounded chance to finish or abort what they have
 * in flight, and the process exits 1 so its supervisor restarts it from the last commit. Nothing
 * that failed is ever skipped.
 */
export function exitOnFailure(stage: FailingStage, stopAll: () => Promise<unknown>, logger: Logger): void {
  stage.failed.catch(async (error: unknown) => {
    reportFailed(stage.name, failureReason(error));
    if (exiting) return;
    exiting = true;
    logger.fatal({ err: error, stage: stage.name }, 'stage failed; exiting so the supervisor restarts it');
    setTimeout(() => process.exit(1), FAILURE_EXIT_DEADLINE_MS).unref();
    await stopAll().catch((stopError: unknown) => logger.error({ err: stopError }, 'stopping after a failure failed'));
    process.exit(1);
  });
}

/** The project's error code where there is one, also when a client library wrapped it. */
function failureReason(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof SiemStreamError) return `${e.code}: ${e.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
