import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { liveWorks } from './candidates.js';
import { searchRuns, works, type RunStatus, type RunTrigger, type WorkStatus } from '../schema/index.js';

export interface CycleRunRow {
  id: number;
  cycleId: string;
  source: string;
  trigger: RunTrigger;
  /** An import's file names; a search's query. */
  query: string;
  /** What a search was sent apart from its window (`strategyFingerprint`); null for imports and older runs. */
  strategyFingerprint: string | null;
  status: RunStatus;
  identified: number;
  fetched: number;
  duplicates: number;
  newWorks: number;
  windowFrom: string;
  windowTo: string;
  startedAt: Date;
}

export interface RunWorkCount {
  /** The run that first staged these works. */
  runId: number;
  /**
   * 'duplicate': staged as new, found later to be another work: merged into it by a maintainer,
   * or one of the original review's studies once declared as a seed.
   */
  status: WorkStatus | 'duplicate';
  count: number;
}

/** Everything PRISMA counts are derived from: the run log and the works each run staged. */
export async function prismaInputs(db: Db, reviewId: string) {
  const runs: CycleRunRow[] = await db
    .select({
      id: searchRuns.id,
      cycleId: searchRuns.cycleId,
      source: searchRuns.source,
      trigger: searchRuns.trigger,
      query: searchRuns.query,
      strategyFingerprint: searchRuns.strategyFingerprint,
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
  const status = sql<RunWorkCount['status']>`case when ${works.mergedIntoId} is null and ${works.origin} = 'candidate' then ${works.status} else 'duplicate' end`;
  const worksByRun: RunWorkCount[] = (
    await db
      .select({ runId: works.firstSeenRunId, status, count: sql<number>`count(*)::int` })
      .from(works)
      .where(and(eq(works.reviewId, reviewId), isNotNull(works.firstSeenRunId)))
      .groupBy(works.firstSeenRunId, status)
  ).map((r) => ({ runId: Number(r.runId), status: r.status, count: Number(r.count) }));
  const [seedRow] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(works)
    .where(and(liveWorks(reviewId), eq(works.origin, 'seed')));
  return { runs, worksByRun, seeds: Number(seedRow?.n ?? 0) };
}
