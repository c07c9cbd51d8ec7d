// Wall clocks of IANA time zones, for the DST edges of cron schedules.
import { CronExpressionParser } from 'cron-parser';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const formats = new Map<string, Intl.DateTimeFormat>();
function wallClock(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(timeZone, f);
  }
  return f;
}

/** The zone's UTC offset at `at`: its wall clock read as UTC, minus the instant (whole seconds). */
export function utcOffsetMs(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(wallClock(timeZone).formatToParts(at).map((p) => [p.type, Number(p.value)]));
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instants (to the minute) at which the zone's offset changes within `days` from `from`'s UTC day. */
export function offsetChanges(timeZone: string, from: Date, days: number): Date[] {
  const out: Date[] = [];
  const start = Math.floor(from.getTime() / DAY_MS) * DAY_MS;
  for (let day = 0; day < days; day++) {
    let lo = start + day * DAY_MS;
    let hi = lo + DAY_MS;
    const before = utcOffsetMs(new Date(lo), timeZone);
    if (utcOffsetMs(new Date(hi), timeZone) === before) continue;
    while (hi - lo > MINUTE_MS) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
      if (utcOffsetMs(new Date(mid), timeZone) === before) lo = mid;
      else hi = mid;
    }
    out.push(new Date(hi));
  }
  return out;
}

/**
 * Why cron-parser, which BullMQ schedules with, cannot follow `cron` in `timeZone` over the next
 * two years, if it cannot. It gives up ("loop limit exceeded") on some ticks next to the clock
 * changes of zones that move by half an hour (Australia/Lord_Howe); BullMQ then schedules no
 * further job for that scheduler, silently, ever. So each tick from the one before such a change
 * to three hours after it is found the way BullMQ finds it: next() from the tick before. Changes
 * by whole hours are left out: cron-parser follows them (tried on every zone with DST in 2026),
 * and walking a weekly cron across each would slow every protocol load.
 */
export function scheduleProblem(cron: string, timeZone: string, from: Date = new Date()): string | undefined {
  const oddChanges = offsetChanges(timeZone, from, 731).filter(
    (change) => (utcOffsetMs(change, timeZone) - utcOffsetMs(new Date(change.getTime() - MINUTE_MS), timeZone)) % HOUR_MS !== 0,
  );
  for (const change of oddChanges) {
    try {
      const it = CronExpressionParser.parse(cron, { currentDate: new Date(change.getTime() - 3 * HOUR_MS), tz: timeZone });
      const start = it.prev().toDate();
      const walk = CronExpressionParser.parse(cron, { currentDate: start, tz: timeZone });
      // A few hundred ticks cover the edge of any cron coarser than a minute; finer ones get a part of it.
      for (let i = 0; i < 400 && walk.next().getTime() <= change.getTime() + 3 * HOUR_MS; i++);
    } catch (err) {
      const at = change.toISOString().replace(/:00\.000Z$/, 'Z');
      return `"${cron}" cannot be scheduled in ${timeZone} across its clock change at ${at} (cron-parser: ${err instanceof Error ? err.message : String(err)}); choose a time away from the change`;
    }
  }
  return undefined;
}
