import { describe, expect, it } from 'vitest';
import { digestPeriod, previousTick } from '../../src/digest/period.js';

describe('digest period', () => {
  const cron = '0 8 * * 1'; // Mondays 08:00

  it('is the latest tick at or before now, in the protocol time zone', () => {
    // Wednesday 4 March 2026: the period is Monday 2 March 08:00 London (GMT, so 08:00Z).
    expect(digestPeriod(cron, 'Europe/London', new Date('2026-03-04T12:00:00Z')).toISOString()).toBe('2026-03-02T08:00:00.000Z');
    // In summer time 08:00 London is 07:00Z.
    expect(digestPeriod(cron, 'Europe/London', new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-06-29T07:00:00.000Z');
    expect(digestPeriod(cron, 'America/New_York', new Date('2026-03-04T12:00:00Z')).toISOString()).toBe('2026-03-02T13:00:00.000Z');
  });

  it('counts a tick exactly at now, and not one a millisecond later', () => {
    const tick = new Date('2026-03-02T08:00:00Z');
    expect(digestPeriod(cron, 'Europe/London', tick).toISOString()).toBe(tick.toISOString());
    expect(digestPeriod(cron, 'Europe/London', new Date(tick.getTime() - 1)).toISOString()).toBe('2026-02-23T08:00:00.000Z');
  });

  it('is stable across a period, so reruns name the same one', () => {
    const a = digestPeriod(cron, 'Europe/London', new Date('2026-03-02T08:00:01Z'));
    const b = digestPeriod(cron, 'Europe/London', new Date('2026-03-09T07:59:59Z'));
    expect(a.toISOString()).toBe(b.toISOString());
  });

  it('finds the tick before a period', () => {
    expect(previousTick(cron, 'Europe/London', new Date('2026-03-02T08:00:00Z')).toISOString()).toBe('2026-02-23T08:00:00.000Z');
  });
});
