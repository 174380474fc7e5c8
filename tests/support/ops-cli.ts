import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Topology } from '../../src/config/schema.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Writes the topology to a file, as an operator would have it. */
export function topologyFile(topology: Topology): string {
  const file = join(mkdtempSync(join(tmpdir(), 'siem-ops-')), 'topology.yaml');
  writeFileSync(file, stringify(topology));
  return file;
}

/** Runs the built CLI (`node dist/cli/main.js …`) to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/cli/main.js', ...args],
      { env: { ...process.env, SIEM_STREAM_LOG_LEVEL: 'warn', ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
