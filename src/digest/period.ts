import { CronExpressionParser } from 'cron-parser';

/**
 * A digest's period is the scheduled tick it belongs to: the latest tick of the digest cron (in the
 * protocol's time zone) at or before `now`. Reruns within one period therefore name the same period
 * and meet the outbox's unique key instead of sending again.
 */
export function digestPeriod(cron: string, timeZone: string, now: Date): Date {
  // prev() is strictly before currentDate; starting 1 ms later makes a tick at `now` count.
  const it = CronExpressionParser.parse(cron, { currentDate: new Date(now.getTime() + 1), tz: timeZone });
  return it.prev().toDate();
}

/** The tick before `period`: the start of what "new this period" covers. */
export function previousTick(cron: string, timeZone: string, period: Date): Date {
  return CronExpressionParser.parse(cron, { currentDate: period, tz: timeZone }).prev().toDate();
}
