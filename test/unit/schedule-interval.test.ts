// The schedule interval that staleness alerts compare with (RELIABILITY_NOTES S3).
import { describe, expect, it } from 'vitest';
import { longestGapMs } from '../../src/digest/period.js';

const H = 3_600_000;
const from = new Date('2026-03-02T00:00:00Z'); // a Monday

describe('longestGapMs', () => {
  it('is the period of a regular cron', () => {
    expect(longestGapMs('0 6 * * *', 'UTC', from)).toBe(24 * H);
    expect(longestGapMs('0 6 * * 1', 'UTC', from)).toBe(7 * 24 * H);
    expect(longestGapMs('*/10 * * * * *', 'UTC', from)).toBe(10_000);
  });

  it('is the longest gap of an irregular one: the weekend of a weekday cron, a 31-day month', () => {
    expect(longestGapMs('0 6 * * 1-5', 'UTC', from)).toBe(3 * 24 * H);
    expect(longestGapMs('0 0 1 * *', 'UTC', from, 12)).toBe(31 * 24 * H);
  });

  it('includes the 25-hour day when the clocks go back in the schedule time zone', () => {
    // Europe/London leaves summer time on 2026-10-25.
    expect(longestGapMs('0 6 * * *', 'Europe/London', new Date('2026-10-20T00:00:00Z'), 10)).toBe(25 * H);
    expect(longestGapMs('0 6 * * *', 'UTC', new Date('2026-10-20T00:00:00Z'), 10)).toBe(24 * H);
  });
});
