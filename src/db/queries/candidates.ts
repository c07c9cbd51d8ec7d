import { and, asc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { works, type WorkStatus } from '../schema/index.js';
import type { Author } from '../../records/types.js';

/** A deduplicated work as exports show it, with the sources it was found in. */
export interface Candidate {
  id: number;
  title: string;
  authors: Author[];
  year: number | null;
  journal: string | null;
  volume: string | null;
  issue: string | null;
  pages: string | null;
  doi: string | null;
  pmid: string | null;
  pmcid: string | null;
  abstract: string | null;
  sources: string[];
  status: WorkStatus;
  origin: 'candidate' | 'seed';
  firstSeen: Date;
}

export type StatusFilter = WorkStatus | 'all';

export async function listCandidates(db: Db, reviewId: string, status: StatusFilter): Promise<Candidate[]> {
  const filters: SQL[] = [eq(works.reviewId, reviewId), ne(works.origin, 'seed'), isNull(works.mergedIntoId)];
  if (status !== 'all') filters.push(eq(works.status, status));
  const rows = await db
    .select({
      id: works.id,
      title: works.title,
      authors: works.authors,
      year: works.year,
      journal: works.journal,
      volume: works.volume,
      issue: works.issue,
      pages: works.pages,
      doi: works.doi,
      pmid: works.pmid,
      pmcid: works.pmcid,
      abstract: works.abstract,
      status: works.status,
      origin: works.origin,
      firstSeen: works.firstSeenAt,
      // Written out: drizzle renders bare column names inside sql``, which a subquery would rebind.
      sources: sql<string[]>`array(select distinct sr.source from source_records sr where sr.work_id = "works"."id" order by 1)`,
    })
    .from(works)
    .where(and(...filters))
    .orderBy(asc(works.firstSeenAt), asc(works.id));
  return rows.map((r) => ({ ...r, firstSeen: new Date(r.firstSeen) }));
}
