import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { isSearch, watermarks } from './runs.js';
import type { Db } from '../client.js';
import { liveWorks } from './candidates.js';
import { type KnownPaper, type RecallCheck, recallCheck } from './recall-check.js';
import { digests, matchReviews, searchRuns, works, type RunStatus, type WorkStatus, type WorkOrigin } from '../schema/index.js';

export interface SourceRunSummary {
  source: string;
  status: RunStatus;
  windowFrom: string;
  windowTo: string;
  identified: number;
  fetched: number;
  newWorks: number;
  duplicates: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  /** The last day searched without a gap with the current strategy (`watermarks`): where the next run starts, before the overlap. */
  watermark: string | null;
  /** The next window starts earlier because the strategy this source would send changed (`Coverage`). */
  strategyChanged: boolean;
}

/** The last import of export files under one source name. */
export interface ImportRunSummary {
  source: string;
  status: RunStatus;
  /** The files, as the run's query records them. */
  files: string;
  read: number;
  newWorks: number;
  duplicates: number;
  error: string | null;
  startedAt: Date;
}

export interface ReviewStatus {
  review: string;
  sources: SourceRunSummary[];
  imports: ImportRunSummary[];
  works: { origin: WorkOrigin; status: WorkStatus; count: number }[];
  /** What waits for a maintainer. */
  attention: { ambiguousDigests: number; failedDigests: number; uncertainPairs: number; flaggedWorks: number };
  /** Works a retraction, correction or expression of concern has reached, and what reached them. */
  flagged: { workId: number; title: string; status: WorkStatus; origin: WorkOrigin; note: string }[];
  /** The protocol's known relevant papers found so far. */
  recall: RecallCheck;
}

/**
 * `current` gives the fingerprint of the strategy each source would now send (src/runs/strategy.ts);
 * without one, every search counts as a search with it.
 */
export async function reviewStatus(
  db: Db,
  reviewId: string,
  knownRelevant: readonly KnownPaper[] = [],
  current: (source: string) => string | undefined = () => undefined,
): Promise<ReviewStatus> {
  const lastOf = (kind: 'search' | 'import') =>
    db
      .selectDistinctOn([searchRuns.source])
      .from(searchRuns)
      .where(and(eq(searchRuns.reviewId, reviewId), kind === 'search' ? isSearch : eq(searchRuns.trigger, 'import')))
      .orderBy(searchRuns.source, desc(searchRuns.startedAt), desc(searchRuns.id));
  const latest = await lastOf('search');
  const imports = await lastOf('import');
  const marks = await watermarks(db, reviewId, current);
  const counts = await db
    .select({ origin: works.origin, status: works.status, count: sql<number>`count(*)::int` })
    .from(works)
    .where(liveWorks(reviewId))
    .groupBy(works.origin, works.status)
    .orderBy(works.origin, works.status);
  return {
    review: reviewId,
    sources: latest.map((r) => ({
      source: r.source,
      status: r.status,
      windowFrom: r.windowFrom,
      windowTo: r.windowTo,
      identified: r.identified,
      fetched: r.fetched,
      newWorks: r.newWorks,
      duplicates: r.duplicates,
      error: r.error,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      watermark: marks.get(r.source)?.watermark ?? null,
      strategyChanged: marks.get(r.source)?.strategyChanged ?? false,
    })),
    imports: imports.map((r) => ({
      source: r.source,
      status: r.status,
      files: r.query,
      read: r.fetched,
      newWorks: r.newWorks,
      duplicates: r.duplicates,
      error: r.error,
      startedAt: r.startedAt,
    })),
    works: counts.map((c) => ({ ...c, count: Number(c.count) })),
    attention: await attentionOf(db, reviewId),
    flagged: await flaggedWorks(db, reviewId),
    recall: await recallCheck(db, reviewId, knownRelevant),
  };
}

async function attentionOf(db: Db, reviewId: string): Promise<ReviewStatus['attention']> {
  const count = async (query: Promise<{ n: number }[]>) => Number((await query)[0]?.n ?? 0);
  const n = sql<number>`count(*)::int`;
  return {
    ambiguousDigests: await count(db.select({ n }).from(digests).where(and(eq(digests.reviewId, reviewId), eq(digests.status, 'ambiguous')))),
    failedDigests: await count(db.select({ n }).from(digests).where(and(eq(digests.reviewId, reviewId), eq(digests.status, 'failed')))),
    uncertainPairs: await count(db.select({ n }).from(matchReviews).where(and(eq(matchReviews.reviewId, reviewId), isNull(matchReviews.decision)))),
    flaggedWorks: await count(db.select({ n }).from(works).where(and(liveWorks(reviewId), isNotNull(works.attention)))),
  };
}

export async function flaggedWorks(db: Db, reviewId: string): Promise<ReviewStatus['flagged']> {
  const rows = await db
    .select({ workId: works.id, title: works.title, status: works.status, origin: works.origin, note: works.attention })
    .from(works)
    .where(and(liveWorks(reviewId), isNotNull(works.attention)))
    .orderBy(works.id);
  return rows.map((r) => ({ ...r, note: r.note ?? '' }));
}
