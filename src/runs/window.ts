import { PermanentError } from '../errors.js';
import type { DateWindow } from '../sources/types.js';

const DAY_MS = 86_400_000;

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A real calendar day as YYYY-MM-DD: Date.parse would take 2021-02-30 as 2 March. */
export function isCalendarDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return isoDay(d) === value;
}

export function addDays(day: string, days: number): string {
  return isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

export interface WindowInput {
  /** `--from`: wins over everything. */
  from?: string | undefined;
  /** `--to`: defaults to today; a later day is today (nothing after it can have been added yet). */
  to?: string | undefined;
  /** End of the last successful window of this source, if any. */
  watermark: string | null;
  /** The protocol's first date not covered by the original search. */
  updateFrom: string;
  overlapDays: number;
  today: string;
}

/**
 * The next window starts where the last successful run ended, minus an overlap that catches
 * records the source added late to days already searched; deduplication absorbs the repeats.
 */
export function nextWindow(input: WindowInput): DateWindow {
  const from = input.from ?? nextWindowStart(input);
  const to = minDay(input.to ?? input.today, input.today);
  if (from > to) throw new PermanentError(`the window is empty: from ${from} is after to ${to}`);
  return { from, to };
}

/** The first day the next run without `--from` searches. */
export function nextWindowStart(input: Pick<WindowInput, 'watermark' | 'updateFrom' | 'overlapDays'>): string {
  return input.watermark ? maxDay(addDays(input.watermark, -input.overlapDays), input.updateFrom) : input.updateFrom;
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

function minDay(a: string, b: string): string {
  return a < b ? a : b;
}
