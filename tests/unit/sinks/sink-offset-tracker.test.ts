import { describe, expect, it } from 'vitest';
import { OffsetTracker } from '../../../src/sinks/runtime/offset-tracker.js';

describe('contiguous offset commits', () => {
  it('commits only below the first unacknowledged offset, whatever order acknowledgements arrive in', () => {
    const tracker = new OffsetTracker();
    const p = tracker.progressFor('t', 0, 10n);
    for (const o of [10n, 11n, 12n, 13n, 14n]) p.track(o);
    p.ack(10n);
    p.ack(11n);
    p.ack(13n); // A, B, D acknowledged; C (12) and E (14) not
    expect(tracker.uncommitted()).toEqual([{ topic: 't', partition: 0, offset: '12' }]);
    p.ack(12n);
    expect(p.commitPoint()).toBe(14n);
    p.ack(14n);
    expect(p.commitPoint()).toBe(15n);
  });

  it('hands out a commit point once, and again only after it moved', () => {
    const tracker = new OffsetTracker();
    const p = tracker.progressFor('t', 1, 0n);
    p.track(0n);
    p.track(1n);
    p.ack(0n);
    const first = tracker.uncommitted();
    tracker.markCommitted(first);
    expect(tracker.uncommitted()).toEqual([]);
    p.ack(1n);
    expect(tracker.uncommitted()).toEqual([{ topic: 't', partition: 1, offset: '2' }]);
  });

  it('starts over when a partition is rewound (re-assigned), and late acknowledgements of the old run change nothing', () => {
    const tracker = new OffsetTracker();
    const old = tracker.progressFor('t', 0, 0n);
    for (const o of [0n, 1n, 2n]) old.track(o);
    const fresh = tracker.progressFor('t', 0, 1n);
    expect(fresh).not.toBe(old);
    fresh.track(1n);
    old.ack(0n);
    old.ack(1n);
    expect(tracker.uncommitted()).toEqual([{ topic: 't', partition: 0, offset: '1' }]);
  });

  it('keeps memory bounded over a long run of acknowledged offsets', () => {
    const tracker = new OffsetTracker();
    const p = tracker.progressFor('t', 0, 0n);
    for (let o = 0n; o < 100_000n; o++) {
      p.track(o);
      p.ack(o);
    }
    expect(p.pending).toBe(0);
    expect(p.commitPoint()).toBe(100_000n);
  });

  it('stops committing a partition once it was revoked, and hands out the commit points of the revoked ones alone', () => {
    const tracker = new OffsetTracker();
    const p0 = tracker.progressFor('t', 0, 0n);
    p0.track(0n);
    p0.ack(0n);
    tracker.progressFor('t', 1, 0n).track(0n);
    expect(tracker.uncommitted([{ topic: 't', partition: 0 }])).toEqual([{ topic: 't', partition: 0, offset: '1' }]);
    tracker.drop([{ topic: 't', partition: 0 }]);
    p0.track(1n);
    p0.ack(1n); // a batch of the revoked partition still in flight
    expect(tracker.uncommitted()).toEqual([{ topic: 't', partition: 1, offset: '0' }]);
    expect(tracker.uncommitted([{ topic: 't', partition: 0 }])).toEqual([]);
  });
});
