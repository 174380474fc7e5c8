import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Logger, pino } from 'pino';

interface LineSink {
  write(line: string): unknown;
}

let sink: LineSink = process.stdout;

const SECRET_KEYS = [
  'password',
  'clientSecret',
  'keyPassword',
  'passphrase',
  'token',
  'tokenValue',
  'secretAccessKey',
  'sessionToken',
  'authorization',
];
// deep enough for a whole logged topology: topology.sinks[0].credentials.secretAccessKey is five levels down
const SECRET_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`, `*.*.*.*.${k}`, `*.*.*.*.*.${k}`]);

/** One root logger; stages and tools take children with their own bindings (stage, topic, partition…). */
export const rootLogger: Logger = pino(
  {
    name: 'siem-stream',
    level: process.env.SIEM_STREAM_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
    base: { pid: process.pid },
    // defence in depth: no code path should log a config object, but if one does, secrets stay out
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
  },
  { write: (line: string) => sink.write(line) },
);

/** Sends every later log line to stderr: for commands whose stdout is their result (tables, JSON). */
export function sendLogsToStderr(): void {
  sink = process.stderr;
}

/**
 * Sends every later log line to a file instead of stdout — for interactive commands (the demo)
 * whose terminal belongs to progress and the summary.
 */
export function sendLogsToFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  sink = createWriteStream(file, { flags: 'a' });
}

export type { Logger };
