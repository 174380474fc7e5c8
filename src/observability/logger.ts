import { type Logger, pino } from 'pino';

/** One root logger; stages and tools take children with their own bindings (stage, topic, partition…). */
export const rootLogger: Logger = pino({
  name: 'siem-stream',
  level: process.env.SIEM_STREAM_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
});

export type { Logger };
