import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../../src/schemas/events.js';
import { sourceStreamOf } from '../../../src/schemas/source-stream.js';
import { enricherSchema } from '../../../src/stages/enricher/config.js';
import { PartitionStore } from '../../../src/stages/enricher/partition-store.js';
import { SourceClocks } from '../../../src/stages/enricher/source-clocks.js';
import { DELIVERY_GRACE_BY_FORMAT, sourceClockPolicy } from '../../../src/stages/enricher/source-grace.js';
import { labelledTraffic } from '../../../src/stages/enricher/training/labelled-traffic.js';
import { windowStarts } from '../../../src/stages/enricher/windows.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const [template] = labelledTraffic({ seed: 1, hosts: 1, users: 0, durationMs: 3_600_000, incidentsPerKind: 0 });

function event(entity: string, t: number, logType: string, extra: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return { ...(template?.event as NormalizedEvent), EntityKey: entity, TimeGenerated: t, LogType: logType, ...extra };
}

const config = enricherSchema.parse({
  windows: [
    { name: 'm1', sizeMs: MIN },
    { name: 's5', kind: 'sliding', sizeMs: 5 * MIN, advanceMs: MIN },
  ],
  featureWindow: 'm1',
  graceMs: 10_000,
  graceMsByLogType: { flow: 5 * MIN },
  allowedLatenessMs: 2 * MIN,
  idleSourceMs: 2 * HOUR,
});

describe('enricher event time per source', () => {
  it('keeps a watermark per log type: a source hours behind another is not late, and keeps its windows', () => {
    const store = new PartitionStore(config);
    store.observe(event('a', 10 * HOUR, 'live'));
    // a backfill of another source, hours older, read in its own order
    const backfill = [0, 20_000, 40_000, 70_000].map((t) => store.observe(event('a', 8 * HOUR + t, 'history')));
    expect(backfill.map((o) => o.late)).toEqual([false, false, false, false]);
    expect(backfill.map((o) => o.windowCounts.m1)).toEqual([1, 2, 3, 1]);
    expect(store.lateEvents).toBe(0);
    // the live source goes on without being held back by the backfill
    expect(store.observe(event('a', 10 * HOUR + 1_000, 'live')).late).toBe(false);
  });

  it('flags an event after its own source grace, and still counts it in its window within the allowed lateness', () => {
    const store = new PartitionStore(config);
    store.observe(event('a', 30_000, 'syslog'));
    store.observe(event('a', 75_000, 'syslog')); // syslog watermark 65 s: [0, 60 s) is closed for syslog
    const late = store.observe(event('a', 50_000, 'syslog'));
    expect(late.late).toBe(true);
    expect(late.windowCounts.m1).toBe(2); // 30 s and itself: the window's state is still kept
    // far beyond grace + allowed lateness: features of the event alone
    store.observe(event('a', 10 * MIN, 'syslog'));
    const tooLate = store.observe(event('a', 40_000, 'syslog'));
    expect(tooLate.late).toBe(true);
    expect(tooLate.windowCounts.m1).toBe(1);
    expect(store.lateEvents).toBe(2);
  });

  it('applies each log type its own grace: the same delay is on time for flow and late for syslog', () => {
    const store = new PartitionStore(config);
    store.observe(event('a', 10 * MIN, 'flow'));
    store.observe(event('b', 10 * MIN, 'syslog'));
    expect(store.observe(event('a', 7 * MIN, 'flow')).late).toBe(false);
    expect(store.observe(event('b', 7 * MIN, 'syslog')).late).toBe(true);
  });

  it('a sliding window reads the sizeMs before the event, not the slots after it', () => {
    const store = new PartitionStore({ ...config, featureWindow: 's5' });
    for (const t of [0, MIN, 2 * MIN, 6 * MIN]) store.observe(event('a', t, 'syslog'));
    // 3 min: the panes of [-1 min, 4 min) hold 0, 1, 2 min and itself; the 6 min event lies after it
    const o = store.observe(event('a', 3 * MIN, 'flow'));
    expect(o.windowCounts.s5).toBe(4);
    expect(o.windowStart).toBe(-MIN);
    expect(windowStarts({ name: 's', kind: 'sliding', sizeMs: 5 * MIN, advanceMs: MIN }, 3 * MIN + 5)).toEqual([-MIN]);
  });

  it('lets an idle source stop holding window state open, and keeps it all through a restore', () => {
    const clocks = new SourceClocks(sourceClockPolicy(config));
    clocks.observe('flow', 0);
    clocks.observe('syslog', HOUR);
    expect(clocks.retentionWatermark()).toBe(0 - 5 * MIN - 2 * MIN); // flow (1 h behind) still active
    clocks.observe('syslog', 3 * HOUR);
    expect(clocks.retentionWatermark()).toBe(3 * HOUR - 10_000 - 2 * MIN); // flow idle for more than idleSourceMs

    const live = new PartitionStore(config);
    const changelog = new Map<string, string>();
    const events = [event('a', HOUR, 'flow'), event('a', HOUR + 5_000, 'syslog'), event('b', HOUR - 3 * MIN, 'flow')];
    for (const e of events) live.observe(e);
    for (const [k, v] of live.takeChanges()) if (v !== null) changelog.set(k, v);
    const restored = new PartitionStore(config);
    restored.restore(changelog);
    expect(restored.retentionWatermark).toBe(live.retentionWatermark);
    const next = event('b', HOUR - 4 * MIN, 'flow');
    expect(restored.observe(next)).toEqual(live.observe(next));
  });

  it('gives AWS-delivered formats their delivery grace unless the log type sets its own', () => {
    const policy = sourceClockPolicy(config, { trail: 'cloudtrail', flow: 'vpcflow', app: 'json', constructor: 'json' });
    expect(policy.graceOf('trail')).toBe(DELIVERY_GRACE_BY_FORMAT.cloudtrail);
    expect(policy.graceOf('flow')).toBe(5 * MIN);
    expect(policy.graceOf('app')).toBe(10_000);
    expect(policy.graceOf('constructor')).toBe(10_000);
  });

  it('refuses window settings that do not fit their kind, naming the field', () => {
    const problem = (w: object) => enricherSchema.safeParse({ windows: [{ name: 'w', ...w }], featureWindow: 'w' }).error?.issues[0];
    expect(problem({ kind: 'hopping', sizeMs: MIN })).toMatchObject({
      path: ['windows', 0, 'advanceMs'],
      message: 'a hopping window needs advanceMs',
    });
    expect(problem({ kind: 'sliding', sizeMs: 1_000_001 })?.path).toEqual(['windows', 0, 'advanceMs']);
    expect(problem({ kind: 'tumbling', sizeMs: MIN, advanceMs: 30_000 })?.message).toMatch(/tumbling/);
    expect(problem({ kind: 'sliding', sizeMs: 5 * MIN })).toBeUndefined();
  });
});

describe('source streams', () => {
  it('takes the date and time out of the key, keeping account, region, trail, flow log and load balancer apart', () => {
    const trail = (acct: string, region: string, day: string, time: string) =>
      sourceStreamOf(
        'cloudtrail',
        `AWSLogs/${acct}/CloudTrail/${region}/2026/12/${day}/${acct}_CloudTrail_${region}_202612${day}T${time}Z_Ab12Cd.json.gz`,
      );
    expect(trail('111122223333', 'us-east-1', '07', '1005')).toBe(trail('111122223333', 'us-east-1', '08', '2355'));
    expect(trail('111122223333', 'us-east-1', '07', '1005')).not.toBe(trail('111122223333', 'eu-west-1', '07', '1005'));
    expect(trail('111122223333', 'us-east-1', '07', '1005')).not.toBe(trail('444455556666', 'us-east-1', '07', '1005'));
    const flow = (id: string, hour: string) =>
      sourceStreamOf(
        'vpcflow',
        `AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/07/${hour}/111122223333_vpcflowlogs_us-east-1_${id}_20261207T${hour}05Z_9f8e7d6c.log.gz`,
      );
    expect(flow('fl-0a1b2c', '10')).toBe(flow('fl-0a1b2c', '11'));
    expect(flow('fl-0a1b2c', '10')).not.toBe(flow('fl-9z8y7x', '10'));
    expect(sourceStreamOf('s3access', 'logs/2026-12-07-10-05-00-ABCDEF0123456789')).toBe(
      sourceStreamOf('s3access', 'logs/2026-12-07-11-15-00-0123456789ABCDEF'),
    );
    expect(sourceStreamOf('app', 'app/dt=2026-12-07/part-0001.json')).toBe(sourceStreamOf('app', 'app/dt=2026-12-08/part-0002.json'));
    expect(sourceStreamOf('app', 'x/a.log')).not.toBe(sourceStreamOf('other', 'x/a.log'));
  });

  it('reads a backfill in key order without late events: each account and region replays its own time', () => {
    const store = new PartitionStore(config);
    const key = (region: string, hour: number) =>
      `AWSLogs/111122223333/CloudTrail/${region}/2026/12/07/111122223333_CloudTrail_${region}_20261207T${String(hour).padStart(2, '0')}00Z_x.json.gz`;
    const observations = ['us-east-1', 'eu-west-1'].flatMap((region) =>
      [0, 1, 2, 3].flatMap((hour) =>
        [0, 10_000, 20_000].map((s) => store.observe(event(`u-${region}`, hour * HOUR + s, 'trail', { SourceKey: key(region, hour) }))),
      ),
    );
    expect(observations.filter((o) => o.late)).toEqual([]);
    // the second region's first minute counts its own three events, though the first region is hours ahead
    expect(observations.slice(12, 15).map((o) => o.windowCounts.m1)).toEqual([1, 2, 3]);
  });
});
