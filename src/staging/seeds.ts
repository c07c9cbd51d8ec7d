import { and, eq, sql } from 'drizzle-orm';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { flagNoticesReaching } from '../db/queries/attention.js';
import { auditLog, screeningDecisions, seeds, sourceRecords, works } from '../db/schema/index.js';
import { NO_FLAGS, type SourceRecord } from '../records/types.js';
import { normalizeDoi, normalizePmid, normalizeTitle } from '../dedup/normalize.js';
import { type StageResult, stageBatch } from './stage.js';

export function seedKey(s: { doi?: string | undefined; pmid?: string | undefined; title?: string | undefined }): string {
  const doi = normalizeDoi(s.doi);
  if (doi) return `doi:${doi}`;
  const pmid = normalizePmid(s.pmid);
  if (pmid) return `pmid:${pmid}`;
  return `title:${normalizeTitle(s.title)}`;
}

/**
 * Stages records as seeds (the original review's included studies) through the same matching as
 * API records, so a seed is never proposed as a new candidate. A candidate found before its seed
 * was declared becomes a seed, even one screened already (its decisions stay in the audit).
 */
export async function stageSeeds(db: Db, reviewId: string, source: string, entries: Array<{ record: SourceRecord; note?: string }>): Promise<StageResult> {
  // One transaction (and the staging lock stageBatch takes in it): no batch sees a seed half made.
  return db.transaction(async (tx) => {
    const result = await stageBatch(tx, { reviewId, source, runId: null, origin: 'seed' }, entries.map((e) => e.record));
    for (const { record, note } of entries) {
      const [link] = await tx
        .select({ workId: sourceRecords.workId })
        .from(sourceRecords)
        .where(and(eq(sourceRecords.reviewId, reviewId), eq(sourceRecords.source, source), eq(sourceRecords.sourceId, record.sourceId)));
      // Whatever the living update's reviewers decided, the original review included it. The row
      // lock a decision takes makes one land before (and be audited here as overridden) or be refused.
      const [was] = await tx.select({ status: works.status, reviewId: works.reviewId }).from(works).where(and(eq(works.id, link!.workId), eq(works.origin, 'candidate'))).for('update');
      if (was) {
        await tx.update(works).set({ origin: 'seed', status: 'included', updatedAt: sql`now()` }).where(eq(works.id, link!.workId));
        const [decided] = await tx.select({ n: sql<number>`count(*)::int` }).from(screeningDecisions).where(eq(screeningDecisions.workId, link!.workId));
        // A screened candidate's status changes without a decision: the log says why.
        if (Number(decided?.n ?? 0) > 0) {
          await tx.insert(auditLog).values({ reviewId, actor: 'system', channel: 'cli', action: 'screening.seeded', entity: 'work', entityId: String(link!.workId), details: { source, statusBefore: was.status, status: 'included', decisions: Number(decided!.n) } });
        }
      }
      await flagNoticesReaching(tx, link!.workId);
      await tx
        .insert(seeds)
        .values({ reviewId, seedKey: seedKey(record), doi: normalizeDoi(record.doi) ?? null, pmid: normalizePmid(record.pmid) ?? null, title: record.title || null, note: note ?? null, workId: link!.workId })
        .onConflictDoNothing();
    }
    return result;
  });
}

/** Stages the protocol's seeds that are not staged yet. */
export async function syncSeeds(db: Db, protocol: Protocol, source = 'protocol'): Promise<number> {
  const present = new Set(
    (await db.select({ key: seeds.seedKey }).from(seeds).where(eq(seeds.reviewId, protocol.id))).map((s) => s.key),
  );
  const missing = protocol.seeds.filter((s) => !present.has(seedKey(s)));
  if (missing.length === 0) return 0;
  await stageSeeds(
    db,
    protocol.id,
    source,
    missing.map((s) => ({
      record: { source, sourceId: seedKey(s), doi: s.doi, pmid: s.pmid, title: s.title ?? '', authors: [], flags: NO_FLAGS },
      note: s.note,
    })),
  );
  return missing.length;
}
