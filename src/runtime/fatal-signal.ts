/**
 * How a long-running piece (a consumer loop, a lister, a receiver) says it stopped for good. The
 * stage shell watches `failed`: the first failure makes /readyz fail and the process exit non-zero,
 * so a live process that does nothing cannot happen.
 */
export class FatalSignal {
  readonly failed: Promise<never>;
  private rejectWith: (error: unknown) => void = () => undefined;
  private fired = false;

  constructor() {
    this.failed = new Promise<never>((_, reject) => {
      this.rejectWith = reject;
    });
    this.failed.catch(() => undefined); // observed by the stage shell; never an unhandled rejection
  }

  get hasFailed(): boolean {
    return this.fired;
  }

  fail(error: unknown): void {
    if (this.fired) return;
    this.fired = true;
    this.rejectWith(error);
  }
}
