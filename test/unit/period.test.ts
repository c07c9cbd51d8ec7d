import { describe, expect, it } from 'vitest';
import { CronExpressionParser } from 'cron-parser';
import { schedulePeriod, previousTick } from '../../src/digest/period.js';
import { offsetChanges, scheduleProblem } from '../../src/config/time-zone.js';

describe('digest period', () => {
  const cron = '0 8 * * 1'; // Mondays 08:00

  it('is the latest tick at or before now, in the protocol time zone', () => {
    // Wednesday 4 March 2026: the period is Monday 2 March 08:00 London (GMT, so 08:00Z).
    expect(schedulePeriod(cron, 'Europe/London', new Date('2026-03-04T12:00:00Z')).toISOString()).toBe('2026-03-02T08:00:00.000Z');
    // In summer time 08:00 London is 07:00Z.
    expect(schedulePeriod(cron, 'Europe/London', new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-06-29T07:00:00.000Z');
    expect(schedulePeriod(cron, 'America/New_York', new Date('2026-03-04T12:00:00Z')).toISOString()).toBe('2026-03-02T13:00:00.000Z');
  });

  it('counts a tick exactly at now, and not one a millisecond later', () => {
    const tick = new Date('2026-03-02T08:00:00Z');
    expect(schedulePeriod(cron, 'Europe/London', tick).toISOString()).toBe(tick.toISOString());
    expect(schedulePeriod(cron, 'Europe/London', new Date(tick.getTime() - 1)).toISOString()).toBe('2026-02-23T08:00:00.000Z');
  });

  it('is stable across a period, so reruns name the same one', () => {
    const a = schedulePeriod(cron, 'Europe/London', new Date('2026-03-02T08:00:01Z'));
    const b = schedulePeriod(cron, 'Europe/London', new Date('2026-03-09T07:59:59Z'));
    expect(a.toISOString()).toBe(b.toISOString());
  });

  it('finds the tick before a period', () => {
    expect(previousTick(cron, 'Europe/London', new Date('2026-03-02T08:00:00Z')).toISOString()).toBe('2026-02-23T08:00:00.000Z');
  });
});

/**
 * Across DST the period must be the tick the scheduler fired (BullMQ chains cron-parser's next()):
 * cron-parser's prev() skips a tick moved out of the spring-forward gap and returns a repeated
 * hour's second occurrence that next() never fires.
 */
describe('digest period across DST changes', () => {
  it('on the spring-forward day, a tick moved out of the gap is its own period, not last week\'s', () => {
    // Sunday 29 March 2026: London skips 01:00-02:00; the 01:30 tick fires at 02:30 BST = 01:30Z.
    const cron = '30 1 * * 0';
    const tick = new Date('2026-03-29T01:30:00Z');
    expect(schedulePeriod(cron, 'Europe/London', tick).toISOString()).toBe(tick.toISOString());
    expect(schedulePeriod(cron, 'Europe/London', new Date('2026-03-29T09:00:00Z')).toISOString()).toBe(tick.toISOString());
    // The next week's period starts from it, not from 22 March.
    expect(previousTick(cron, 'Europe/London', new Date('2026-04-05T00:30:00Z')).toISOString()).toBe(tick.toISOString());
  });

  it('is the same in New York, whose gap is 02:00-03:00', () => {
    const tick = new Date('2026-03-08T07:30:00Z'); // 02:30 EST does not exist; fired at 03:30 EDT
    expect(schedulePeriod('30 2 * * 0', 'America/New_York', tick).toISOString()).toBe(tick.toISOString());
  });

  it('on the fall-back day, the repeated hour is one period, the tick that fired first', () => {
    // Sunday 25 October 2026: London's 01:30 comes at 00:30Z (BST) and again at 01:30Z (GMT).
    const cron = '30 1 * * *';
    const first = '2026-10-25T00:30:00.000Z';
    for (const at of ['2026-10-25T00:30:00Z', '2026-10-25T01:15:00Z', '2026-10-25T01:30:00Z', '2026-10-25T12:00:00Z']) {
      expect(schedulePeriod(cron, 'Europe/London', new Date(at)).toISOString(), at).toBe(first);
    }
    expect(previousTick(cron, 'Europe/London', new Date('2026-10-26T01:30:00Z')).toISOString()).toBe(first);
  });

  it('still moves on at the next tick after a DST change', () => {
    expect(schedulePeriod('30 1 * * *', 'Europe/London', new Date('2026-10-26T01:30:00Z')).toISOString()).toBe('2026-10-26T01:30:00.000Z');
    expect(schedulePeriod('30 1 * * 0', 'Europe/London', new Date('2026-04-05T00:30:00Z')).toISOString()).toBe('2026-04-05T00:30:00.000Z');
  });
});

describe('digest period against the ticks the scheduler fires', () => {
  // Each tick of next()'s chain (what BullMQ fires) is its own period, up to the next tick.
  const cases: [string, string, string, number][] = [
    ['30 1 * * *', 'Europe/London', '2026-01-01T00:00:00Z', 366],
    ['0 1 * * *', 'Europe/London', '2026-01-01T00:00:00Z', 366],
    ['30 2 * * *', 'America/New_York', '2026-01-01T00:00:00Z', 366],
    ['0 2 * * 0', 'Australia/Sydney', '2026-01-01T00:00:00Z', 53],
    ['45 1 * * *', 'Australia/Lord_Howe', '2026-03-25T00:00:00Z', 30],
    ['*/15 * * * *', 'America/New_York', '2026-10-31T22:00:00Z', 40],
    ['0 8 * * 1', 'Pacific/Kiritimati', '2026-01-01T00:00:00Z', 53],
    ['*/20 1-2 * * *', 'Europe/London', '2026-10-23T00:00:00Z', 30],
  ];
  it.each(cases)('%s in %s', (cron, tz, start, count) => {
    const it = CronExpressionParser.parse(cron, { currentDate: new Date(start), tz });
    let tick = it.next().toDate();
    for (let i = 0; i < count; i++) {
      const next = it.next().toDate();
      expect(schedulePeriod(cron, tz, tick).toISOString(), `at ${tick.toISOString()}`).toBe(tick.toISOString());
      expect(schedulePeriod(cron, tz, new Date(next.getTime() - 1)).toISOString(), `before ${next.toISOString()}`).toBe(tick.toISOString());
      expect(previousTick(cron, tz, next).toISOString(), `tick before ${next.toISOString()}`).toBe(tick.toISOString());
      tick = next;
    }
  });
});

describe('schedules across clock changes', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  it('finds each change of a zone\'s offset, to the minute', () => {
    expect(offsetChanges('Europe/London', from, 365).map((d) => d.toISOString())).toEqual(['2026-03-29T01:00:00.000Z', '2026-10-25T01:00:00.000Z']);
    expect(offsetChanges('Australia/Lord_Howe', from, 365).map((d) => d.toISOString())).toEqual(['2026-04-04T15:00:00.000Z', '2026-10-03T15:30:00.000Z']);
    expect(offsetChanges('UTC', from, 365)).toEqual([]);
  });
  it('says why cron-parser cannot follow a cron next to a half-hour change, and passes the others', () => {
    expect(scheduleProblem('0 2 * * *', 'Australia/Lord_Howe', from)).toMatch(/across its clock change at 2026-04-04T15:00Z \(cron-parser: Invalid expression, loop limit exceeded\)/);
    for (const [cron, tz] of [['30 8 * * 1', 'Australia/Lord_Howe'], ['30 1 * * *', 'Europe/London'], ['30 2 * * 0', 'America/New_York'], ['*/5 * * * *', 'Australia/Lord_Howe']] as const) {
      expect(scheduleProblem(cron, tz, from), `${cron} ${tz}`).toBeUndefined();
    }
  });
});
