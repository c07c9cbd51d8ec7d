import { CronExpressionParser } from 'cron-parser';

/**
 * A digest's period is the scheduled tick it belongs to: the latest tick of the digest cron (in the
 * protocol's time zone) at or before `now`. Reruns within one period therefore name the same period
 * and meet the outbox's unique key instead of sending again.
 *
 * The ticks are those the scheduler fires, which BullMQ finds with cron-parser's next(). prev()
 * alone disagrees with next() across DST: it skips a tick next() moves out of the spring-forward
 * gap (that tick's digest named the period before and sent nothing: a weekly digest missed a
 * week), and returns the second occurrence of a repeated autumn hour, which next() skips (a second
 * period, so a second digest that day). So prev() goes back to a tick next() fires, and next()
 * walks from there to `now`.
 */
export function digestPeriod(cron: string, timeZone: string, now: Date): Date {
  // prev() is strictly before currentDate; starting 1 ms later makes a tick at `now` count.
  const back = CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: timeZone });
  let period = back.prev().toDate();
  while (repeatsWallTime(period, timeZone)) period = back.prev().toDate();
  const forward = CronExpressionParser.parse(cron, { currentDate: period, tz: timeZone });
  for (let tick = forward.next().toDate(); tick.getTime() <= now.getTime(); tick = forward.next().toDate()) period = tick;
  return period;
}

/** The tick before `period`: the start of what "new this period" covers. */
export function previousTick(cron: string, timeZone: string, period: Date): Date {
  return digestPeriod(cron, timeZone, new Date(period.getTime() - 1));
}

const HOUR_MS = 3_600_000;

/** Whether the clock showed `at`'s wall time once already, before it was put back (autumn DST). */
function repeatsWallTime(at: Date, timeZone: string): boolean {
  // Clocks go back by at most two hours, and never twice within three.
  const setBack = offsetMs(new Date(at.getTime() - 3 * HOUR_MS), timeZone) - offsetMs(at, timeZone);
  return setBack > 0 && offsetMs(new Date(at.getTime() - setBack), timeZone) - offsetMs(at, timeZone) === setBack;
}

/** The zone's UTC offset at `at`: its wall clock read as UTC, minus the instant (whole seconds). */
function offsetMs(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(wallClock(timeZone).formatToParts(at).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, f);
  }
  return f;
}
