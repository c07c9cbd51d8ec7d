import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { matchReviews, sourceRecords, workBlockKeys, workRelations, works } from '../db/schema/index.js';
import { normalizeRecord } from '../dedup/record.js';
import { declaredLinks } from '../dedup/relations.js';
import type { SourceRecord } from '../records/types.js';
import { loadWorks, storedWork, worksByBlockKeys } from './candidates.js';
import { workKeys } from './keys.js';
import { type RecordPlan, WorkPool, planRecord, storedBlockKeys } from './plan.js';

export interface StageContext {
  reviewId: string;
  source: string;
  /** The search run the records came from; null for imports outside a run. */
  runId: number | null;
  origin?: 'candidate' | 'seed';
}

export interface StageResult {
  /** Records that became new works (pending, or included for seeds). */
  newWorks: number;
  /** Records linked to a work already known (earlier run, other source, seed, this batch). */
  duplicates: number;
  /** New works that might be a known work: kept apart and listed in match_reviews. */
  uncertain: number;
  /** Works created, in order. */
  createdWorkIds: number[];
}

export function payloadHash(r: SourceRecord): string {
  return createHash('sha256').update(JSON.stringify(r)).digest('hex');
}

const NOTICE_ATTENTION = new Set(['erratum-for', 'retraction-of', 'expression-of-concern-for']);
const unique = <T>(xs: Array<T | null | undefined>): T[] => [...new Set(xs.filter((x): x is T => x != null))];

/**
 * Stages one batch in one transaction: each record is upserted by (source, source id) and linked
 * to the work it is the same as (identifier, then the dedup engine against the stored works that
 * share a block key), else it becomes a new work, listed for a maintainer when the engine is
 * unsure. Versions and notices are linked as relations; a notice reaching an included work flags
 * it. Staging of one review is serialised by a transaction-scoped advisory lock, so two processes
 * never both create a work for the same paper. A record seen before changes nothing.
 */
export async function stageBatch(db: Db, ctx: StageContext, records: SourceRecord[]): Promise<StageResult> {
  const result: StageResult = { newWorks: 0, duplicates: 0, uncertain: 0, createdWorkIds: [] };
  if (records.length === 0) return result;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'stage:' + ctx.reviewId}))`);
    const ids = [...new Set(records.map((r) => r.sourceId))];
    const existing = await tx
      .select({ sourceId: sourceRecords.sourceId, hash: sourceRecords.payloadHash })
      .from(sourceRecords)
      .where(and(eq(sourceRecords.reviewId, ctx.reviewId), eq(sourceRecords.source, ctx.source), inArray(sourceRecords.sourceId, ids)));
    const seenHash = new Map(existing.map((e) => [e.sourceId, e.hash]));

    const fresh = new Map(records.filter((r) => !seenHash.has(r.sourceId)).map((r) => [r.sourceId, normalizeRecord(r)]));
    const keysOf = new Map([...fresh].map(([id, norm]) => [id, storedBlockKeys(norm)]));
    const pool = await fetchPool(tx, ctx.reviewId, [...fresh.values()], [...keysOf.values()].flat());

    const linked = new Set<string>();
    for (const r of records) {
      const hash = payloadHash(r);
      const previous = seenHash.get(r.sourceId);
      if (previous !== undefined || linked.has(r.sourceId)) {
        result.duplicates++;
        if (previous !== undefined && previous !== hash) {
          // The source corrected the record: keep its latest form, leave the work's link alone.
          await tx
            .update(sourceRecords)
            .set({ record: r, payloadHash: hash, lastRunId: ctx.runId, updatedAt: sql`now()` })
            .where(and(eq(sourceRecords.reviewId, ctx.reviewId), eq(sourceRecords.source, ctx.source), eq(sourceRecords.sourceId, r.sourceId)));
        }
        continue;
      }
      linked.add(r.sourceId);
      const norm = fresh.get(r.sourceId)!;
      const blockKeys = keysOf.get(r.sourceId)!;
      const plan = planRecord(norm, blockKeys, pool);
      let workId: number;
      if (plan.same) {
        workId = plan.same.work.id;
        result.duplicates++;
        await fillIdentifiers(tx, plan.same.work, r);
        pool.indexIdentifiers(plan.same.work);
      } else {
        workId = await createWork(tx, ctx, r);
        pool.add(storedWork({ ...workRow(ctx, r), id: workId }));
        result.newWorks++;
        result.createdWorkIds.push(workId);
        if (plan.uncertain.length) result.uncertain++;
      }
      pool.addKeys(workId, blockKeys);
      if (blockKeys.length) {
        await tx.insert(workBlockKeys).values(blockKeys.map((key) => ({ reviewId: ctx.reviewId, key, workId }))).onConflictDoNothing();
      }
      await tx.insert(sourceRecords).values({
        reviewId: ctx.reviewId,
        source: ctx.source,
        sourceId: r.sourceId,
        payloadHash: hash,
        record: r,
        workId,
        matchMethod: plan.same?.method ?? 'new',
        matchScore: plan.same?.score ?? null,
        firstRunId: ctx.runId,
        lastRunId: ctx.runId,
      });
      await recordLinks(tx, ctx.reviewId, workId, plan);
      if (r.flags.retracted) await flagIfIncluded(tx, workId, 'retracted (reported by a source record)');
    }
    return result;
  });
}

/** Works the batch may match, in three indexed queries: identifiers, block keys, rows by id. */
async function fetchPool(tx: Db, reviewId: string, norms: ReturnType<typeof normalizeRecord>[], keys: string[]): Promise<WorkPool> {
  const links = norms.flatMap(declaredLinks);
  const pool = new WorkPool();
  const byIdentifier = await loadWorks(tx, reviewId, {
    dois: unique([...norms.map((n) => n.doi), ...links.map((l) => l.doi)]),
    pmids: unique([...norms.map((n) => n.pmid), ...links.map((l) => l.pmid)]),
  });
  for (const w of byIdentifier) pool.add(w);
  const byKey = await worksByBlockKeys(tx, reviewId, unique(keys));
  const missing = unique([...byKey.values()].flat()).filter((id) => !pool.get(id));
  for (const w of await loadWorks(tx, reviewId, { ids: missing })) pool.add(w);
  for (const [key, ids] of byKey) for (const id of ids) if (pool.get(id)) pool.addKeys(id, [key]);
  return pool;
}

function workRow(ctx: StageContext, r: SourceRecord) {
  const keys = workKeys(r);
  return {
    reviewId: ctx.reviewId,
    origin: ctx.origin ?? 'candidate',
    status: ctx.origin === 'seed' ? ('included' as const) : ('pending' as const),
    doi: keys.doi,
    pmid: keys.pmid,
    pmcid: r.pmcid ?? null,
    title: r.title,
    titleKey: keys.titleKey,
    authors: r.authors,
    year: r.year ?? null,
    journal: r.journal ?? null,
    journalAbbrev: r.journalAbbrev ?? null,
    issn: r.issn ?? [],
    volume: r.volume ?? null,
    issue: r.issue ?? null,
    pages: r.pages ?? null,
    abstract: r.abstract ?? null,
    publicationTypes: r.publicationTypes ?? [],
    flags: r.flags,
    kind: r.kind ?? null,
    firstSeenRunId: ctx.runId,
  };
}

async function createWork(tx: Db, ctx: StageContext, r: SourceRecord): Promise<number> {
  const [created] = await tx.insert(works).values(workRow(ctx, r)).returning({ id: works.id });
  return created!.id;
}

/** Fills identifiers the work lacked (a DOI-only seed gains its PMID). */
async function fillIdentifiers(tx: Db, work: { id: number; doi: string | null; pmid: string | null }, r: SourceRecord): Promise<void> {
  const keys = workKeys(r);
  if ((work.doi || !keys.doi) && (work.pmid || !keys.pmid)) return;
  work.doi ??= keys.doi;
  work.pmid ??= keys.pmid;
  await tx.update(works).set({ doi: work.doi, pmid: work.pmid, updatedAt: sql`now()` }).where(eq(works.id, work.id));
}

/** Uncertain pairs (a pair already listed or decided is left alone) and relations of one record. */
async function recordLinks(tx: Db, reviewId: string, workId: number, plan: RecordPlan): Promise<void> {
  for (const u of plan.uncertain) {
    const [workA, workB] = workId < u.workId ? [workId, u.workId] : [u.workId, workId];
    await tx.insert(matchReviews).values({ reviewId, workA, workB, score: u.score, reason: u.reason }).onConflictDoNothing();
  }
  for (const rel of plan.relations) {
    const [fromWorkId, toWorkId] = rel.recordIsFrom ? [workId, rel.workId] : [rel.workId, workId];
    await tx.insert(workRelations).values({ reviewId, fromWorkId, toWorkId, type: rel.type }).onConflictDoNothing();
    if (NOTICE_ATTENTION.has(rel.type)) await flagIfIncluded(tx, toWorkId, `${rel.type} work ${fromWorkId}`);
  }
}

/** Flags an included work for the maintainers (a retraction or correction reached it). */
async function flagIfIncluded(tx: Db, workId: number, why: string): Promise<void> {
  await tx
    .update(works)
    .set({ attention: sql`concat_ws('; ', ${works.attention}, ${why}::text)`, updatedAt: sql`now()` })
    .where(and(eq(works.id, workId), eq(works.status, 'included')));
}
