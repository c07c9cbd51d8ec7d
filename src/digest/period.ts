import { CronExpressionParser } from 'cron-parser';
import { utcOffsetMs } from '../config/time-zone.js';

/**
 * The period of a schedule's job (a digest, a search cycle) is the scheduled tick it belongs to:
 * the latest tick of the cron (in the protocol's time zone) at or before `now`. Reruns within one
 * period therefore name the same period and meet the outbox's (or the search runs') unique key
 * instead of sending (or searching) again.
 *
 * The ticks are those the scheduler fires, which BullMQ finds with cron-parser's next(). prev()
 * alone disagrees with next() across DST: it skips a tick next() moves out of the spring-forward
 * gap (that tick's digest named the period before and sent nothing: a weekly digest missed a
 * week), and returns the second occurrence of a repeated autumn hour, which next() skips (a second
 * period, so a second digest that day; BullMQ itself fires that occurrence when it picks the first
 * one up after the clocks went back, since it computes the next tick from then). So prev() goes
 * back to a tick next() fires, and next() walks from there to `now`.
 */
export function schedulePeriod(cron: string, timeZone: string, now: Date): Date {
  // prev() is strictly before currentDate; starting 1 ms later makes a tick at `now` count.
  const back = CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: timeZone });
  let period = back.prev().toDate();
  while (repeatsWallTime(period, timeZone)) period = back.prev().toDate();
  const forward = CronExpressionParser.parse(cron, { currentDate: period, tz: timeZone });
  for (let tick = forward.next().toDate(); tick.getTime() <= now.getTime(); tick = forward.next().toDate()) period = tick;
  return period;
}

/**
 * The longest gap between consecutive ticks of a cron (in `tz`) over the next `ticks` ticks from
 * `from`: the schedule's interval for staleness alerts. The longest, so a weekday-only cron is
 * judged by its weekend gap and a monthly one by its 31-day month (DST shifts included).
 */
export function longestGapMs(pattern: string, tz: string, from: Date = new Date(), ticks = 64): number {
  const it = CronExpressionParser.parse(pattern, { currentDate: from, tz });
  let prev = it.next().getTime();
  let longest = 0;
  for (let i = 0; i < ticks; i++) {
    const next = it.next().getTime();
    longest = Math.max(longest, next - prev);
    prev = next;
  }
  return longest;
}

/** The tick before `period`: the start of what "new this period" covers. */
export function previousTick(cron: string, timeZone: string, period: Date): Date {
  return schedulePeriod(cron, timeZone, new Date(period.getTime() - 1));
}

const HOUR_MS = 3_600_000;

/** Whether the clock showed `at`'s wall time once already, before it was put back (autumn DST). */
function repeatsWallTime(at: Date, timeZone: string): boolean {
  // Clocks go back by at most two hours, and never twice within three.
  const setBack = utcOffsetMs(new Date(at.getTime() - 3 * HOUR_MS), timeZone) - utcOffsetMs(at, timeZone);
  return setBack > 0 && utcOffsetMs(new Date(at.getTime() - setBack), timeZone) - utcOffsetMs(at, timeZone) === setBack;
}
