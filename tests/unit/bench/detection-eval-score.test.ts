import { describe, expect, it } from 'vitest';
import type { Label } from '../../../bench/detection-eval/corpus-types.js';
import { type EnrichedSummary, scoreDetection } from '../../../bench/detection-eval/score.js';

const event = (id: string, logType: string, flagged: boolean, late = false, windowCount = 1): EnrichedSummary => ({
  id,
  logType,
  flagged,
  late,
  windowCount,
});

describe('scoring the detection evaluation', () => {
  it('counts incident and event recall per kind, charges false alarms to the kinds of their log type, and compares LateEvent with the truly late', () => {
    const labels = new Map<string, Label>([
      ['vpc#1', { kind: 'port-scan', incident: 'port-scan-1' }],
      ['vpc#2', { kind: 'port-scan', incident: 'port-scan-1' }],
      ['vpc#3', { kind: 'port-scan', incident: 'port-scan-2' }],
      ['ct#1', { kind: 'rare-destructive', incident: 'rare-destructive-1' }],
    ]);
    const events = [
      event('vpc#1', 'vpcflow', true, true),
      event('vpc#2', 'vpcflow', false),
      event('vpc#3', 'vpcflow', false, true),
      event('vpc#4', 'vpcflow', true, false, 40),
      event('vpc#5', 'vpcflow', true, false, 400),
      event('ct#1', 'cloudtrail', true),
      event('ct#2', 'cloudtrail', false),
      event('ct#2', 'cloudtrail', false),
    ];
    const f = scoreDetection(events, labels, new Set(['vpc#3', 'ct#2']));
    expect(f.events).toBe(7);
    expect(f.duplicates).toBe(1);
    expect(f.flagged).toBe(4);
    expect(f.precision).toBe(2 / 4);
    expect(f.recall).toBe(2 / 4);
    expect(f.perKind['port-scan']).toMatchObject({
      incidents: 2,
      incidentsDetected: 1,
      incidentRecall: 0.5,
      events: 3,
      eventsFlagged: 1,
      logTypes: ['vpcflow'],
      eventPrecision: 1 / 3,
      shareOfFlagged: 1 / 4,
    });
    expect(f.perKind['rare-destructive']).toMatchObject({ incidentRecall: 1, eventRecall: 1, eventPrecision: 1, logTypes: ['cloudtrail'] });
    expect(f.perKind.exfiltration).toMatchObject({ incidents: 0, events: 0, eventRecall: 0 });
    expect(f.flagRateByLogType).toEqual({ cloudtrail: 1 / 2, vpcflow: 3 / 5 });
    expect(f.byWindowCount).toEqual({
      '1': { share: 5 / 7, flagRate: 2 / 5 },
      '2-10': { share: 0, flagRate: 0 },
      '11-100': { share: 1 / 7, flagRate: 1 },
      '>100': { share: 1 / 7, flagRate: 1 },
    });
    expect(f.late).toEqual({ marked: 2, share: 2 / 7, trulyLate: 2, markedAndTrulyLate: 1 });
    expect(f.missingLabelled).toBe(0);
  });

  it('counts a labelled record with no enriched event as missing', () => {
    const f = scoreDetection([], new Map([['k#0', { kind: 'exfiltration', incident: 'exfiltration-1' } as Label]]), new Set());
    expect(f.missingLabelled).toBe(1);
    expect(f.perKind.exfiltration.incidentRecall).toBe(0);
  });
});
