import { describe, expect, it } from 'vitest';
import {
  expectStage,
  holdReadiness,
  processReady,
  readinessReport,
  reportAssigned,
  reportStopping,
} from '../../src/observability/readiness.js';

describe('readiness', () => {
  it('is ready only once every stage got its assignment and released its holds, and unready when stopping', () => {
    expect(processReady()).toBe(false);
    expectStage('parser');
    expectStage('enricher');
    reportAssigned('parser');
    expect(processReady()).toBe(false);
    expect(readinessReport()).toContain('enricher: waiting for assignment');
    const restored = holdReadiness('enricher', 'restoring window state');
    reportAssigned('enricher');
    expect(processReady()).toBe(false);
    expect(readinessReport()).toContain('enricher: holding (restoring window state)');
    restored();
    expect(processReady()).toBe(true);
    reportStopping();
    expect(processReady()).toBe(false);
  });
});
