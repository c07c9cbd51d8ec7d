import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { searchRuns, works, type RunStatus, type WorkStatus, type WorkOrigin } from '../schema/index.js';

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
  /** End of the last successful window: where the next run starts. */
  watermark: string | null;
}

export interface ReviewStatus {
  review: string;
  sources: SourceRunSummary[];
  works: { origin: WorkOrigin; status: WorkStatus; count: number }[];
}

export async function reviewStatus(db: Db, reviewId: string): Promise<ReviewStatus> {
  const latest = await db
    .selectDistinctOn([searchRuns.source])
    .from(searchRuns)
    .where(eq(searchRuns.reviewId, reviewId))
    .orderBy(searchRuns.source, desc(searchRuns.startedAt), desc(searchRuns.id));
  const marks = await db
    .select({ source: searchRuns.source, watermark: sql<string>`max(${searchRuns.windowTo})` })
    .from(searchRuns)
    .where(and(eq(searchRuns.reviewId, reviewId), eq(searchRuns.status, 'ok')))
    .groupBy(searchRuns.source);
  const counts = await db
    .select({ origin: works.origin, status: works.status, count: sql<number>`count(*)::int` })
    .from(works)
    .where(and(eq(works.reviewId, reviewId), isNull(works.mergedIntoId)))
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
      watermark: marks.find((m) => m.source === r.source)?.watermark ?? null,
    })),
    works: counts.map((c) => ({ ...c, count: Number(c.count) })),
  };
}
