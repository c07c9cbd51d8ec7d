import { and, asc, eq, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { works, type WorkStatus } from '../schema/index.js';
import type { Author, SourceRecord } from '../../records/types.js';

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
  /** ISSNs, print and electronic. */
  issn: string[];
  /** null for a journal article. */
  kind: SourceRecord['kind'] | null;
  sources: string[];
  status: WorkStatus;
  origin: 'candidate' | 'seed';
  firstSeen: Date;
  /** Reasons of the reviewers' latest decisions that exclude the work (protocol codes or free text); none once it is kept. */
  exclusionReasons: string[];
}

export type StatusFilter = WorkStatus | 'all';

/** A review's live works: not merged away into another. */
export function liveWorks(reviewId: string): SQL {
  return and(eq(works.reviewId, reviewId), isNull(works.mergedIntoId))!;
}

/** A review's candidates in export order (first seen, then id). */
export async function listCandidates(db: Db, reviewId: string, status: StatusFilter): Promise<Candidate[]> {
  const all: Candidate[] = [];
  for await (const page of candidatePages(db, reviewId, status)) all.push(...page);
  return all;
}

/**
 * The same in pages of `size`, each read after the last row of the one before (keyset on the
 * exact first-seen time, not a millisecond Date), so an export of any size holds one page.
 */
export async function* candidatePages(db: Db, reviewId: string, status: StatusFilter, size = 1000): AsyncGenerator<Candidate[]> {
  let after: { seen: string; id: number } | undefined;
  for (;;) {
    const filters: SQL[] = [liveWorks(reviewId), ne(works.origin, 'seed')];
    if (status !== 'all') filters.push(eq(works.status, status));
    if (after) filters.push(sql`(${works.firstSeenAt}, ${works.id}) > (${after.seen}::timestamptz, ${after.id})`);
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
        issn: works.issn,
        kind: sql<Candidate['kind']>`${works.kind}`,
        status: works.status,
        origin: works.origin,
        firstSeen: works.firstSeenAt,
        seen: sql<string>`${works.firstSeenAt}::text`,
        // Written out: drizzle renders bare column names inside sql``, which a subquery would rebind.
        sources: sql<string[]>`array(select distinct sr.source from source_records sr where sr.work_id = "works"."id" order by 1)`,
        // A work kept (included or maybe, as a maintainer's resolution can make one a reviewer
        // excluded) has no exclusion reasons: an overruled vote's reason would be counted as one.
        exclusionReasons: sql<string[]>`case when "works"."status" in ('included', 'maybe') then '{}'::text[] else array(
          select distinct l.reason from (
            select distinct on (sd.reviewer_id) sd.decision, sd.reason from screening_decisions sd
            where sd.work_id = "works"."id" order by sd.reviewer_id, sd.id desc) l
          where l.decision = 'exclude' and l.reason is not null order by 1) end`,
      })
      .from(works)
      .where(and(...filters))
      .orderBy(asc(works.firstSeenAt), asc(works.id))
      .limit(size);
    if (rows.length > 0) yield rows.map(({ seen: _seen, ...r }) => ({ ...r, firstSeen: new Date(r.firstSeen) }));
    if (rows.length < size) return;
    const last = rows.at(-1)!;
    after = { seen: last.seen, id: last.id };
  }
}

/**
 * The work a candidate id stands for now: itself, or the work it was merged into (following
 * merges of merges). A digest link or an export id older than a maintainer's "same work" answer
 * still reaches the work that carries the decisions. Undefined when no such work exists.
 * With `lock`, each row on the way is locked FOR UPDATE (in the caller's transaction), so a merge
 * committed while waiting for a row is seen and followed.
 */
export async function liveWorkId(db: Db, workId: number, opts: { lock?: boolean } = {}): Promise<number | undefined> {
  let id = workId;
  // A merge never points back at a merged work, so the chain ends; the bound is only a guard.
  for (let hops = 0; hops < 100; hops++) {
    const q = db.select({ mergedInto: works.mergedIntoId }).from(works).where(eq(works.id, id));
    const [w] = await (opts.lock ? q.for('update') : q);
    if (!w) return undefined;
    if (w.mergedInto === null) return id;
    id = w.mergedInto;
  }
  throw new Error(`work ${workId}: merge chain longer than 100 works`);
}
