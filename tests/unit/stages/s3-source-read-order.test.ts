import { describe, expect, it } from 'vitest';
import { rawRecordMessage } from '../../../src/schemas/raw-record.js';
import { parseWorkItem, partitionKeyOf, type WorkItem, workMessage } from '../../../src/stages/s3-source/work-item.js';

const trail = (region: string, stamp: string) =>
  `AWSLogs/111122223333/CloudTrail/${region}/2026/12/07/111122223333_CloudTrail_${region}_${stamp}_AbCd.json.gz`;

function item(key: string, logType = 'cloudtrail'): WorkItem {
  return { bucket: 'logs', key, etag: 'e', logType, framing: 'json-records', via: 'poll', discoveredAt: '2026-12-07T00:00:00Z' };
}

describe('read order: which objects share a work partition and a raw partition', () => {
  it('keys every object of one source stream alike under `stream`, whatever its hour', () => {
    const early = partitionKeyOf(item(trail('eu-west-1', '20261207T0005Z')), 'stream');
    expect(partitionKeyOf(item(trail('eu-west-1', '20261207T2355Z')), 'stream')).toBe(early);
    expect(partitionKeyOf(item(trail('us-east-1', '20261207T0005Z')), 'stream')).not.toBe(early);
    expect(partitionKeyOf(item('firewall/fw-001.log', 'firewall'), 'stream')).toBe(
      partitionKeyOf(item('firewall/fw-002.log', 'firewall'), 'stream'),
    );
  });

  it('keys each object on its own under `object`', () => {
    expect(partitionKeyOf(item(trail('eu-west-1', '20261207T0005Z')), 'object')).not.toBe(
      partitionKeyOf(item(trail('eu-west-1', '20261207T0010Z')), 'object'),
    );
  });

  it('gives the work record and every raw record of an object the same key, carried in the work item', () => {
    const message = workMessage(item(trail('eu-west-1', '20261207T0005Z')), 'stream');
    const carried = parseWorkItem(Buffer.from(String(message.value))) as WorkItem;
    expect(carried.partitionKey).toBe(message.key);
    expect(rawRecordMessage(carried, 7, 'x').key).toBe(message.key);
  });

  it('keeps the object key for work written before the partition key existed', () => {
    const { partitionKey: _, ...old } = item('auth/a.log', 'auth');
    expect(rawRecordMessage(old, 0, 'x').key).toBe('logs/auth/a.log');
  });
});
