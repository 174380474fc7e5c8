import { describe, expect, it } from 'vitest';
import { partitionRow } from '../../src/ops/lag.js';
import { formatLagTable } from '../../src/ops/lag-table.js';

describe('lag of one partition', () => {
  it('counts records between the committed offset and the end', () => {
    expect(partitionRow('g', 't', 0, 40n, { low: 0n, high: 100n })).toMatchObject({ lag: 60n, dataLoss: false, lostRecords: 0n });
    expect(partitionRow('g', 't', 0, 100n, { low: 0n, high: 100n })).toMatchObject({ lag: 0n });
  });

  it('without a committed offset, everything from the log start is still to read', () => {
    expect(partitionRow('g', 't', 0, null, { low: 30n, high: 100n })).toMatchObject({ committed: null, lag: 70n, dataLoss: false });
  });

  it('flags a committed offset below the log start as data loss, counting the records deleted unread', () => {
    const row = partitionRow('g', 't', 1, 10n, { low: 50n, high: 120n });
    expect(row).toMatchObject({ dataLoss: true, lostRecords: 40n, lag: 70n });
    expect(formatLagTable([row])).toMatch(/DATA-LOSS \(40 records deleted unread\)/);
  });
});
