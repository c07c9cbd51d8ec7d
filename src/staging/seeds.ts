import { and, eq, sql } from 'drizzle-orm';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { seeds, sourceRecords, works } from '../db/schema/index.js';
import { NO_FLAGS, type SourceRecord } from '../records/types.js';
import { normalizeDoi, normalizePmid, normalizeTitle } from '../dedup/normalize.js';
import { stageBatch } from './stage.js';

export function seedKey(s: { doi?: string | undefined; pmid?: string | undefined; title?: string | undefined }): string {
  const doi = normalizeDoi(s.doi);
  if (doi) return `doi:${doi}`;
  const pmid = normalizePmid(s.pmid);
  if (pmid) return `pmid:${pmid}`;
  return `title:${normalizeTitle(s.title)}`;
}

/**
 * Stages the protocol's seeds as works through the same matching as API records, so a seed is
 * never proposed as a new candidate. A candidate found before its seed was declared becomes a seed.
 */
export async function syncSeeds(db: Db, protocol: Protocol, source = 'protocol'): Promise<number> {
  const present = new Set(
    (await db.select({ key: seeds.seedKey }).from(seeds).where(eq(seeds.reviewId, protocol.id))).map((s) => s.key),
  );
  const missing = protocol.seeds.filter((s) => !present.has(seedKey(s)));
  if (missing.length === 0) return 0;
  const records: SourceRecord[] = missing.map((s) => ({
    source,
    sourceId: seedKey(s),
    doi: s.doi,
    pmid: s.pmid,
    title: s.title ?? '',
    authors: [],
    flags: NO_FLAGS,
  }));
  await stageBatch(db, { reviewId: protocol.id, source, runId: null, origin: 'seed' }, records);
  for (const [i, s] of missing.entries()) {
    const [link] = await db
      .select({ workId: sourceRecords.workId })
      .from(sourceRecords)
      .where(and(eq(sourceRecords.reviewId, protocol.id), eq(sourceRecords.source, source), eq(sourceRecords.sourceId, records[i]!.sourceId)));
    await db
      .update(works)
      .set({ origin: 'seed', status: 'included', updatedAt: sql`now()` })
      .where(and(eq(works.id, link!.workId), eq(works.status, 'pending')));
    await db
      .insert(seeds)
      .values({ reviewId: protocol.id, seedKey: records[i]!.sourceId, doi: normalizeDoi(s.doi) ?? null, pmid: normalizePmid(s.pmid) ?? null, title: s.title ?? null, note: s.note ?? null, workId: link!.workId })
      .onConflictDoNothing();
  }
  return missing.length;
}
