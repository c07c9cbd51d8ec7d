import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { searchRuns, works } from '../schema/index.js';

export interface CycleRunRow {
  cycleId: string;
  source: string;
  status: string;
  identified: number;
  fetched: number;
  duplicates: number;
  newWorks: number;
  windowFrom: string;
  windowTo: string;
  startedAt: Date;
}

export interface CycleWorkCount {
  cycleId: string;
  status: string;
  count: number;
}

/** Everything PRISMA counts are derived from: the run log and the works each cycle staged. */
export async function prismaInputs(db: Db, reviewId: string) {
  const runs: CycleRunRow[] = await db
    .select({
      cycleId: searchRuns.cycleId,
      source: searchRuns.source,
      status: searchRuns.status,
      identified: searchRuns.identified,
      fetched: searchRuns.fetched,
      duplicates: searchRuns.duplicates,
      newWorks: searchRuns.newWorks,
      windowFrom: searchRuns.windowFrom,
      windowTo: searchRuns.windowTo,
      startedAt: searchRuns.startedAt,
    })
    .from(searchRuns)
    .where(eq(searchRuns.reviewId, reviewId))
    .orderBy(asc(searchRuns.startedAt), asc(searchRuns.id));
  const worksByCycle: CycleWorkCount[] = (
    await db
      .select({ cycleId: searchRuns.cycleId, status: works.status, count: sql<number>`count(*)::int` })
      .from(works)
      .innerJoin(searchRuns, eq(works.firstSeenRunId, searchRuns.id))
      .where(and(eq(works.reviewId, reviewId), eq(works.origin, 'candidate'), isNull(works.mergedIntoId)))
      .groupBy(searchRuns.cycleId, works.status)
  ).map((r) => ({ ...r, count: Number(r.count) }));
  const [seedRow] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(works)
    .where(and(eq(works.reviewId, reviewId), eq(works.origin, 'seed'), isNull(works.mergedIntoId)));
  return { runs, worksByCycle, seeds: Number(seedRow?.n ?? 0) };
}
