import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { reviews, searchRuns, type RunStatus, type RunTrigger } from '../schema/index.js';
import { coverage, type Coverage } from '../../runs/window.js';

/** Searches, not imports: an import of a PubMed export must not move PubMed's watermark. */
export const isSearch = ne(searchRuns.trigger, 'import');

/**
 * What each source's searches have covered with the strategy it would now send (`coverage`:
 * `current` gives a source's fingerprint, see src/runs/strategy.ts): where its searched days end
 * (`searchedUntil`), the next window's start before the overlap, and whether it starts earlier
 * because the strategy changed. A source without a search has none. A failed or partial run
 * never moves the watermark. A window counts only up to the day its run started on in the time
 * zone furthest behind UTC (UTC-12): a day that had not begun everywhere could still be some
 * source's today (NCBI, which dates PubMed's records, is in US Eastern time: a run at 02:00Z
 * searches a day it may still add to), so the next window searches it again even without an
 * overlap. And a window asked to end in the future (an older version allowed it) does not put the
 * next start there.
 */
export async function watermarks(db: Db, reviewId: string, current: (source: string) => string | undefined, source?: string): Promise<Map<string, Coverage>> {
  const [review] = await db.select({ updateFrom: reviews.updateFrom }).from(reviews).where(eq(reviews.id, reviewId));
  const rows = await db
    .select({
      source: searchRuns.source,
      ok: sql<boolean>`${searchRuns.status} = 'ok'`,
      fingerprint: searchRuns.strategyFingerprint,
      from: searchRuns.windowFrom,
      to: sql<string>`least(${searchRuns.windowTo}, to_char(${searchRuns.startedAt} at time zone 'UTC' - interval '12 hours', 'YYYY-MM-DD'))`,
    })
    .from(searchRuns)
    .where(and(eq(searchRuns.reviewId, reviewId), isSearch, source === undefined ? undefined : eq(searchRuns.source, source)))
    .orderBy(asc(searchRuns.id));
  const out = new Map<string, Coverage>();
  for (const name of new Set(rows.map((r) => r.source))) {
    out.set(name, coverage(rows.filter((r) => r.source === name), current(name), review?.updateFrom ?? ''));
  }
  return out;
}

/** What one source's searches have covered with the strategy of fingerprint `current` (`watermarks`). */
export async function sourceCoverage(db: Db, reviewId: string, source: string, current: string): Promise<Coverage> {
  return (await watermarks(db, reviewId, () => current, source)).get(source) ?? { watermark: null, strategyChanged: false };
}

export interface NewRun {
  reviewId: string;
  cycleId: string;
  source: string;
  trigger: RunTrigger;
  /** The scheduled tick this run belongs to, for the once-per-period guarantee. */
  period?: string | null | undefined;
  query: string;
  /** What the source was sent apart from the window (`strategyFingerprint`); none for an import. */
  strategyFingerprint?: string | null;
  windowFrom: string;
  windowTo: string;
  /** Known before anything is staged (an import's records): so a run killed part way says it. */
  identified?: number;
}

export async function startRun(db: Db, run: NewRun & { id?: number }): Promise<number> {
  const [row] = await db.insert(searchRuns).values({ ...run, status: 'running' }).returning({ id: searchRuns.id });
  return row!.id;
}

/** What a run reports of itself. Fetched, new and duplicate records are not here: see countStaged. */
export interface RunProgress {
  identified: number;
  requests: number;
  retries: number;
}

export interface RunOutcome extends RunProgress {
  status: Exclude<RunStatus, 'running'>;
  warnings: string[];
  error: string | null;
}

export async function finishRun(db: Db, id: number, o: RunOutcome): Promise<void> {
  await db
    .update(searchRuns)
    .set({ status: o.status, identified: o.identified, requests: o.requests, retries: o.retries, warnings: o.warnings, error: o.error, finishedAt: sql`now()` })
    .where(eq(searchRuns.id, id));
}

/** Written as the run goes, so an operator sees progress and a crash leaves a trace. */
export async function recordProgress(db: Db, id: number, p: RunProgress): Promise<void> {
  await db.update(searchRuns).set({ identified: p.identified, requests: p.requests, retries: p.retries }).where(eq(searchRuns.id, id));
}

/**
 * Adds a staged batch to its run's fetched, new and duplicate counts, in the transaction that
 * staged it: the counts never disagree with what is staged, however the run ends (a kill between
 * a batch and a separate progress write left staged works that no run had counted).
 */
export async function countStaged(tx: Db, id: number, batch: { fetched: number; newWorks: number; duplicates: number }): Promise<void> {
  await tx
    .update(searchRuns)
    .set({
      fetched: sql`${searchRuns.fetched} + ${batch.fetched}`,
      newWorks: sql`${searchRuns.newWorks} + ${batch.newWorks}`,
      duplicates: sql`${searchRuns.duplicates} + ${batch.duplicates}`,
    })
    .where(eq(searchRuns.id, id));
}

export type SearchRunRow = typeof searchRuns.$inferSelect;

/** The run of a scheduled period that succeeded or is still marked running, if any. */
export async function periodRun(db: Db, reviewId: string, source: string, period: string): Promise<SearchRunRow | undefined> {
  const [row] = await db
    .select()
    .from(searchRuns)
    .where(and(eq(searchRuns.reviewId, reviewId), eq(searchRuns.source, source), eq(searchRuns.period, period), sql`${searchRuns.status} <> 'failed'`))
    .orderBy(desc(searchRuns.id))
    .limit(1);
  return row;
}

/**
 * Marks a run still `running` as failed with `reason`. Only for a run proven to have no live
 * owner: see `settleAbandonedRuns` in src/runs/ownership.ts.
 */
export async function abandonRun(db: Db, id: number, reason: string): Promise<void> {
  await db
    .update(searchRuns)
    .set({ status: 'failed', error: reason, finishedAt: sql`now()` })
    .where(and(eq(searchRuns.id, id), eq(searchRuns.status, 'running')));
}

/** The runs of a source within an update cycle, oldest first: a retried search has several. */
export async function cycleRuns(db: Db, cycleId: string, source: string): Promise<SearchRunRow[]> {
  return db
    .select()
    .from(searchRuns)
    .where(and(eq(searchRuns.cycleId, cycleId), eq(searchRuns.source, source)))
    .orderBy(asc(searchRuns.id));
}
