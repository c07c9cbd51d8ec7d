import { createHash } from 'node:crypto';
import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { type Db, reserveIds } from '../db/client.js';
import { matchReviews, sourceRecords, workBlockKeys, workRelations, works } from '../db/schema/index.js';
import { NOTICE_RELATIONS, flagIfIncluded, noticeReason } from '../db/queries/attention.js';
import { countStaged } from '../db/queries/runs.js';
import { normalizeRecord } from '../dedup/record.js';
import { declaredLinks } from '../dedup/relations.js';
import type { SourceRecord } from '../records/types.js';
import { MEMBERS_PER_WORK, loadMembers, loadWorks, storedWork, worksByBlockKeys } from './candidates.js';
import { workKeys } from './keys.js';
import { lockStaging } from './lock.js';
import { reportedNotices } from './notices.js';
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

const unique = <T>(xs: Array<T | null | undefined>): T[] => [...new Set(xs.filter((x): x is T => x != null))];

/**
 * Stages one batch in one transaction: each record is upserted by (source, source id) and linked
 * to the work it is the same as (identifier, then the dedup engine against the stored works that
 * share a block key), else it becomes a new work, listed for a maintainer when the engine is
 * unsure. Versions and notices are linked as relations; a notice reaching an included work flags
 * it. Staging of one review is serialised by a transaction-scoped advisory lock, so two processes
 * never both create a work for the same paper. A record seen before is a duplicate: unchanged, it
 * changes nothing; changed (the source corrected it), its stored form is replaced and what it now
 * reports of its paper (retracted, corrected) reaches the work.
 */
export async function stageBatch(db: Db, ctx: StageContext, records: SourceRecord[]): Promise<StageResult> {
  const result: StageResult = { newWorks: 0, duplicates: 0, uncertain: 0, createdWorkIds: [] };
  if (records.length === 0) return result;
  return db.transaction(async (tx) => {
    await lockStaging(tx, ctx.reviewId);
    const sourceIds = [...new Set(records.map((r) => r.sourceId))];
    const existing = await tx
      .select({ sourceId: sourceRecords.sourceId, hash: sourceRecords.payloadHash, workId: sourceRecords.workId })
      .from(sourceRecords)
      .where(and(eq(sourceRecords.reviewId, ctx.reviewId), eq(sourceRecords.source, ctx.source), inArray(sourceRecords.sourceId, sourceIds)));
    const seen = new Map(existing.map((e) => [e.sourceId, e]));

    const fresh = new Map(records.filter((r) => !seen.has(r.sourceId)).map((r) => [r.sourceId, normalizeRecord(r)]));
    const keysOf = new Map([...fresh].map(([id, norm]) => [id, storedBlockKeys(norm)]));
    const pool = await fetchPool(tx, ctx.reviewId, [...fresh.values()], [...keysOf.values()].flat());

    // Writes are collected and sent in bulk after the loop: a batch costs a few round trips, not
    // several per record. New works get their ids from the sequence up front, so links can refer
    // to them before they are written.
    const workIds = await allocateWorkIds(tx, fresh.size);
    const newWorks = new Map<number, ReturnType<typeof workRow> & { id: number }>();
    const blockKeyRows: { reviewId: string; key: string; workId: number }[] = [];
    const recordRows: (typeof sourceRecords.$inferInsert)[] = [];
    const blankFillsOf = new Map<number, BlankFills>();
    const links: { workId: number; plan: RecordPlan }[] = [];
    const reported: { workId: number; why: string }[] = [];

    const linked = new Set<string>();
    for (const r of records) {
      const hash = payloadHash(r);
      const previous = seen.get(r.sourceId);
      if (previous !== undefined || linked.has(r.sourceId)) {
        result.duplicates++;
        if (previous !== undefined && previous.hash !== hash) {
          // The source corrected the record: keep its latest form, leave the work's link alone.
          await tx
            .update(sourceRecords)
            .set({ record: r, payloadHash: hash, lastRunId: ctx.runId, updatedAt: sql`now()` })
            .where(and(eq(sourceRecords.reviewId, ctx.reviewId), eq(sourceRecords.source, ctx.source), eq(sourceRecords.sourceId, r.sourceId)));
          // Sources mark the paper itself (PubMed's Retracted Publication and ErratumIn, OpenAlex's
          // is_retracted): a record seen again is how a retraction of an included study shows.
          for (const why of reportedNotices(r)) reported.push({ workId: previous.workId, why });
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
        if (fillIdentifiers(plan.same.work, r)) pool.indexIdentifiers(plan.same.work);
        // A work this batch creates is filled in before it is written; a stored one after.
        const blanks = blankFills(r);
        const pending = newWorks.get(workId);
        if (pending) fillBlanks(pending, blanks);
        else if (Object.keys(blanks).length > 0) blankFillsOf.set(workId, { ...blanks, ...blankFillsOf.get(workId) });
        // Later records of the batch meet this one among the work's members, as if stored.
        plan.same.work.members.unshift(norm);
        plan.same.work.members.length = Math.min(plan.same.work.members.length, MEMBERS_PER_WORK);
      } else {
        workId = workIds.pop()!;
        const row = { ...workRow(ctx, r), id: workId };
        newWorks.set(workId, row);
        pool.add(storedWork(row));
        result.newWorks++;
        result.createdWorkIds.push(workId);
        if (plan.uncertain.length) result.uncertain++;
      }
      pool.addKeys(workId, blockKeys);
      for (const key of blockKeys) blockKeyRows.push({ reviewId: ctx.reviewId, key, workId });
      recordRows.push({
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
      if (plan.uncertain.length || plan.relations.length) links.push({ workId, plan });
      for (const why of reportedNotices(r)) reported.push({ workId, why });
    }

    for (const rows of chunks([...newWorks.values()], 500)) await tx.insert(works).values(rows);
    for (const [id, blanks] of blankFillsOf) await fillStoredBlanks(tx, id, blanks);
    for (const rows of chunks(blockKeyRows, 5000)) await tx.insert(workBlockKeys).values(rows).onConflictDoNothing();
    for (const rows of chunks(recordRows, 1000)) await tx.insert(sourceRecords).values(rows);
    for (const l of links) await recordLinks(tx, ctx.reviewId, l.workId, l.plan);
    for (const { workId, why } of reported) await flagIfIncluded(tx, workId, why);
    if (ctx.runId !== null) await countStaged(tx, ctx.runId, { fetched: records.length, newWorks: result.newWorks, duplicates: result.duplicates });
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
  const byKeyWorks = await loadWorks(tx, reviewId, { ids: missing });
  for (const w of byKeyWorks) pool.add(w);
  for (const [key, ids] of byKey) for (const id of ids) if (pool.get(id)) pool.addKeys(id, [key]);
  await loadMembers(tx, [...byIdentifier, ...byKeyWorks]);
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

/** Ids for the works a batch may create, in one round trip (unused ones are gaps, harmlessly). */
async function allocateWorkIds(tx: Db, n: number): Promise<number[]> {
  if (n === 0) return [];
  return (await reserveIds(tx, 'works', n)).reverse();
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Fills in the pooled work the identifiers it lacked, for later records of the batch; true when it changed. */
function fillIdentifiers(work: { doi: string | null; pmid: string | null }, r: SourceRecord): boolean {
  const keys = workKeys(r);
  if ((work.doi || !keys.doi) && (work.pmid || !keys.pmid)) return false;
  work.doi ??= keys.doi;
  work.pmid ??= keys.pmid;
  return true;
}

/**
 * What a duplicate can give its work where the work has nothing: an identifier (a DOI-only seed
 * gains its PMID), an abstract to screen by, a journal or pages its first record lacked.
 */
type BlankFills = Partial<Record<'doi' | 'pmid' | 'abstract' | 'pmcid' | 'journal' | 'journalAbbrev' | 'volume' | 'issue' | 'pages', string>> & { year?: number; issn?: string[] };

function blankFills(r: SourceRecord): BlankFills {
  const { doi, pmid } = workKeys(r);
  const out: BlankFills = { ...(doi ? { doi } : {}), ...(pmid ? { pmid } : {}) };
  for (const k of ['abstract', 'pmcid', 'journal', 'journalAbbrev', 'volume', 'issue', 'pages'] as const) if (r[k]?.trim()) out[k] = r[k];
  if (r.year !== undefined) out.year = r.year;
  if (r.issn?.length) out.issn = r.issn;
  return out;
}

function fillBlanks(row: ReturnType<typeof workRow>, blanks: BlankFills): void {
  const target = row as Record<string, unknown>;
  for (const [k, v] of Object.entries(blanks)) if (k === 'issn' ? row.issn.length === 0 : target[k] === null) target[k] = v;
}

/**
 * Fills a stored work's empty columns, never one that has a value; the row is left untouched
 * (updated_at too, which digests read as "changed") when it has nothing empty to fill.
 */
async function fillStoredBlanks(tx: Db, workId: number, blanks: BlankFills): Promise<void> {
  const set: Record<string, SQL> = {};
  const empty: SQL[] = [];
  for (const [k, v] of Object.entries(blanks) as [keyof BlankFills, unknown][]) {
    const column = works[k];
    if (k === 'issn') {
      set[k] = sql`case when ${column} = '[]'::jsonb then ${JSON.stringify(v)}::jsonb else ${column} end`;
      empty.push(sql`${column} = '[]'::jsonb`);
    } else {
      set[k] = sql`coalesce(${column}, ${v})`;
      empty.push(sql`${column} is null`);
    }
  }
  await tx.update(works).set({ ...set, updatedAt: sql`now()` }).where(and(eq(works.id, workId), or(...empty)));
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
    if (NOTICE_RELATIONS.has(rel.type)) await flagIfIncluded(tx, toWorkId, noticeReason(rel.type, fromWorkId));
  }
}
