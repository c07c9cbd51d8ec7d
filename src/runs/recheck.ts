import { and, eq, inArray, isNotNull, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { works } from '../db/schema/index.js';
import { liveWorks } from '../db/queries/candidates.js';
import { stageBatch } from '../staging/stage.js';
import type { Source } from '../sources/types.js';

export interface RecheckResult {
  /** Included works the source could be asked about. */
  works: number;
  /** Records it returned (staged outside any run: they are not records an update identified). */
  records: number;
  /** Included works that gained a reason for the maintainers' attention. */
  flagged: number[];
}

const BATCH = 200;

/**
 * Asks a source for the current record of every included work (the original review's studies
 * among them) and stages what it returns: a record now marked retracted, or naming an erratum or
 * an expression of concern, flags its work (stageBatch). The searches bring a notice only when it
 * matches the strategy and falls in the window; this follows the studies the review rests on.
 */
export async function recheckIncluded(db: Db, reviewId: string, source: Source, signal?: AbortSignal): Promise<RecheckResult | undefined> {
  if (!source.lookup) return undefined;
  const included = await db
    .select({ id: works.id, pmid: works.pmid, doi: works.doi, attention: works.attention })
    .from(works)
    .where(and(liveWorks(reviewId), eq(works.status, 'included'), or(isNotNull(works.pmid), isNotNull(works.doi))));
  if (included.length === 0) return { works: 0, records: 0, flagged: [] };
  const records = await source.lookup(included, signal);
  for (let i = 0; i < records.length; i += BATCH) {
    await stageBatch(db, { reviewId, source: source.name, runId: null }, records.slice(i, i + BATCH));
  }
  const before = new Map(included.map((w) => [w.id, w.attention]));
  const after = await db.select({ id: works.id, attention: works.attention }).from(works).where(inArray(works.id, included.map((w) => w.id)));
  return { works: included.length, records: records.length, flagged: after.filter((w) => w.attention !== before.get(w.id)).map((w) => w.id) };
}
