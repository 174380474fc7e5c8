import { ensurePrometheus } from '../src/dev/debian-packages.js';

/** Once per test run: the real tools some tests drive (rsyslog installs itself on first use). */
export default function setup(): void {
  ensurePrometheus((m) => process.stderr.write(`[tools] ${m}\n`));
}
