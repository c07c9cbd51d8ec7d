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
  /** The last day this source searched without a gap (`searchedUntil`), if any. */
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

/**
 * The last day a source has searched without a gap: its successful windows from the first one
 * reaching `updateFrom` (earlier days are clipped; a backfill before it counts for nothing), joined
 * while each starts no later than the day after the days joined so far end. A window started past
 * that (`--from` later than the next start) leaves days unsearched between: it does not carry the
 * watermark over them, so the next window still starts before them.
 */
export function searchedUntil(windows: readonly DateWindow[], updateFrom: string): string | null {
  const spans = windows
    .map((w) => ({ from: maxDay(w.from, updateFrom), to: w.to }))
    .filter((w) => w.from <= w.to)
    .sort((a, b) => a.from.localeCompare(b.from));
  let end: string | null = null;
  for (const w of spans) {
    if (end !== null && w.from > addDays(end, 1)) break;
    end = end === null ? w.to : maxDay(end, w.to);
  }
  return end;
}

/** A search run of one source as the watermark reads it. */
export interface StrategyRun extends DateWindow {
  ok: boolean;
  /** Its `strategyFingerprint`; null for a run stored before runs recorded one. */
  fingerprint: string | null;
}

/** Where a source's searches with the current strategy end, and whether its last one used another. */
export interface Coverage {
  /** `searchedUntil` over the successful searches with the current strategy. */
  watermark: string | null;
  /** Searches with another strategy reach further than `watermark`: the next window starts earlier because the strategy changed. */
  strategyChanged: boolean;
}

/**
 * What a source's search runs (oldest first) have covered with the strategy it would now send
 * (`current`, a fingerprint): a living review's search is its current strategy over the whole
 * update period, so days searched with another one are searched again, from `update_from` (a
 * strategy's first window counts only from there once another one has been searched: a `--from`
 * search after an edit leaves the days before it to search). Searches with an earlier strategy
 * count again when the protocol goes back to it: they found what it finds on their days, as they
 * did before the edit. A run stored before fingerprints were recorded searched with the strategy
 * of the first run after it that has one (what was in force at the upgrade), or, with none since,
 * the current one: an upgrade alone searches nothing again. With `current` unknown (a strategy
 * this source cannot compile, which it cannot search either), every run counts.
 */
export function coverage(runs: readonly StrategyRun[], current: string | undefined, updateFrom: string): Coverage {
  const used: (string | undefined)[] = [];
  let next = current;
  for (let i = runs.length - 1; i >= 0; i--) used[i] = next = runs[i]!.fingerprint ?? next;
  const ok = runs.flatMap((r, i) => (r.ok ? [{ ...r, same: current === undefined || used[i] === current }] : []));
  const changed = ok.some((r) => !r.same);
  const mine = ok.filter((r) => r.same);
  const watermark = searchedUntil(changed && !mine.some((r) => r.from <= updateFrom) ? [] : mine, updateFrom);
  const all = searchedUntil(ok, updateFrom);
  return { watermark, strategyChanged: changed && (watermark === null || (all !== null && watermark < all)) };
}

/** Said by `status` (`next`) and by the run it starts (`this`). */
export function strategyChangedNote(which: 'this' | 'next', start: string): string {
  return `strategy changed since the last search: ${which} window starts ${start}`;
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

function minDay(a: string, b: string): string {
  return a < b ? a : b;
}
