import type { PartitionLagRow } from './lag.js';

const HEADER = [
  'GROUP',
  'TOPIC',
  'PARTITION',
  'CURRENT-OFFSET',
  'LOG-START-OFFSET',
  'LOG-END-OFFSET',
  'LAG',
  'LAG-SECONDS',
  'STATUS',
  'MEMBERS',
];

/** The lag rows as a fixed-width table in the manner of `kafka-consumer-groups --describe`. */
export function formatLagTable(rows: PartitionLagRow[]): string {
  const cells = rows.map((r) => [
    r.group,
    r.topic,
    String(r.partition),
    r.committed === null ? '-' : r.committed.toString(),
    r.logStart.toString(),
    r.end.toString(),
    r.lag.toString(),
    r.lagSeconds === null ? '?' : r.lagSeconds.toFixed(1),
    r.dataLoss ? `DATA-LOSS (${r.lostRecords} records deleted unread)` : r.committed === null ? 'no-offset' : 'ok',
    r.members === undefined ? '-' : `${r.members} (${r.groupState})`,
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(HEADER), ...cells.map(line)].join('\n')}\n`;
}

export function lagRowsAsJson(rows: PartitionLagRow[]): string {
  return `${JSON.stringify(
    rows.map((r) => ({
      ...r,
      committed: r.committed?.toString() ?? null,
      logStart: r.logStart.toString(),
      end: r.end.toString(),
      lag: r.lag.toString(),
      lostRecords: r.lostRecords.toString(),
    })),
    null,
    2,
  )}\n`;
}
