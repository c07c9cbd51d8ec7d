// Calendar-day checks and arithmetic on an inclusive yyyy-mm-dd search window.
import { PermanentError } from '../errors.js';
import type { DateWindow } from './types.js';

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== iso) {
    throw new PermanentError(`not a yyyy-mm-dd date: ${iso}`);
  }
  return t / DAY_MS;
}

function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function checkWindow(w: DateWindow): void {
  if (dayNumber(w.from) > dayNumber(w.to)) throw new PermanentError(`window ${w.from}..${w.to} is reversed`);
}

/** Two halves covering the window exactly: [from, mid] and [mid+1, to]. Needs from < to. */
export function halve(w: DateWindow): [DateWindow, DateWindow] {
  const a = dayNumber(w.from);
  const mid = Math.floor((a + dayNumber(w.to)) / 2);
  return [{ from: w.from, to: isoDay(mid) }, { from: isoDay(mid + 1), to: w.to }];
}
