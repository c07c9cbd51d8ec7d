import { and, inArray, or } from 'drizzle-orm';
import { normalizeDoi, normalizePmid, normalizeTitle } from '../../dedup/normalize.js';
import type { Db } from '../client.js';
import { liveWorks } from './candidates.js';
import { works, type WorkStatus } from '../schema/index.js';

/** A paper the living search should find (protocol `known_relevant`). */
export interface KnownPaper {
  doi?: string | undefined;
  pmid?: string | undefined;
  title?: string | undefined;
  note?: string | undefined;
}

export interface RecallCheck {
  known: number;
  found: Array<KnownPaper & { workId: number; status: WorkStatus }>;
  missing: KnownPaper[];
}

/**
 * Which known relevant papers are among the review's works, by DOI, PMID or (for an entry with
 * neither) normalised title: a check that the strategy, often a reconstruction, finds what it
 * should. Staged works count whatever their screening status.
 */
export async function recallCheck(db: Db, reviewId: string, known: readonly KnownPaper[]): Promise<RecallCheck> {
  if (known.length === 0) return { known: 0, found: [], missing: [] };
  const keys = known.map((k) => ({ doi: normalizeDoi(k.doi), pmid: normalizePmid(k.pmid), title: k.doi || k.pmid ? undefined : normalizeTitle(k.title) }));
  const dois = keys.flatMap((k) => (k.doi ? [k.doi] : []));
  const pmids = keys.flatMap((k) => (k.pmid ? [k.pmid] : []));
  const titles = keys.flatMap((k) => (k.title ? [k.title] : []));
  const conditions = [
    ...(dois.length ? [inArray(works.doi, dois)] : []),
    ...(pmids.length ? [inArray(works.pmid, pmids)] : []),
    ...(titles.length ? [inArray(works.titleKey, titles)] : []),
  ];
  const rows = await db
    .select({ id: works.id, doi: works.doi, pmid: works.pmid, titleKey: works.titleKey, status: works.status })
    .from(works)
    .where(and(liveWorks(reviewId), or(...conditions)));
  const found: RecallCheck['found'] = [];
  const missing: KnownPaper[] = [];
  known.forEach((paper, i) => {
    const k = keys[i]!;
    const hit = rows.find((w) => (k.doi && w.doi === k.doi) || (k.pmid && w.pmid === k.pmid) || (k.title && w.titleKey === k.title));
    if (hit) found.push({ ...paper, workId: hit.id, status: hit.status });
    else missing.push(paper);
  });
  return { known: known.length, found, missing };
}
