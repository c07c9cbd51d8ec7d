import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { searchRuns, type RunStatus, type RunTrigger } from '../schema/index.js';

/** Searches, not imports: an import of a PubMed export must not move PubMed's watermark. */
export const isSearch = ne(searchRuns.trigger, 'import');

/**
 * End of the last successful window, over the runs it is aggregated on (with `okSearches`): a
 * failed or partial run never moves it. A window counts only up to the day its run finished, so
 * one asked to end in the future (an older version allowed it) does not put the next start there.
 */
export const watermarkOf = sql<string | null>`max(least(${searchRuns.windowTo}, to_char(${searchRuns.finishedAt} at time zone 'UTC', 'YYYY-MM-DD')))`;

export const okSearches = (reviewId: string) => and(eq(searchRuns.reviewId, reviewId), eq(searchRuns.status, 'ok'), isSearch);

/** Where the next window of a source starts from (before the overlap); null before any success. */
export async function watermark(db: Db, reviewId: string, source: string): Promise<string | null> {
  const [row] = await db.select({ to: watermarkOf }).from(searchRuns).where(and(okSearches(reviewId), eq(searchRuns.source, source)));
  return row?.to ?? null;
}

export interface NewRun {
  reviewId: string;
  cycleId: string;
  source: string;
  trigger: RunTrigger;
  /** The scheduled tick this run belongs to, for the once-per-period guarantee. */
  period?: string | null | undefined;
  query: string;
  windowFrom: string;
  windowTo: string;
}

export async function startRun(db: Db, run: NewRun & { id?: number }): Promise<number> {
  const [row] = await db.insert(searchRuns).values({ ...run, status: 'running' }).returning({ id: searchRuns.id });
  return row!.id;
}

export interface RunOutcome {
  status: Exclude<RunStatus, 'running'>;
  identified: number;
  fetched: number;
  newWorks: number;
  duplicates: number;
  requests: number;
  retries: number;
  warnings: string[];
  error: string | null;
}

export async function finishRun(db: Db, id: number, outcome: RunOutcome): Promise<void> {
  await db
    .update(searchRuns)
    .set({ ...outcome, finishedAt: sql`now()` })
    .where(eq(searchRuns.id, id));
}

/** Counts written as the run goes, so an operator sees progress and a crash leaves a trace. */
export async function recordProgress(db: Db, id: number, counts: Pick<RunOutcome, 'identified' | 'fetched' | 'newWorks' | 'duplicates' | 'requests' | 'retries'>): Promise<void> {
  await db.update(searchRuns).set(counts).where(eq(searchRuns.id, id));
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
