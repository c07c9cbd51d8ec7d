import { createHash } from 'node:crypto';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { sourceRecords, works } from '../db/schema/index.js';
import type { SourceRecord } from '../records/types.js';
import { workKeys, type WorkKeys } from './keys.js';

export interface StageContext {
  reviewId: string;
  source: string;
  /** The search run the records came from; null for imports outside a run. */
  runId: number | null;
  origin?: 'candidate' | 'seed';
}

export interface StageResult {
  /** Records that became new pending works. */
  newWorks: number;
  /** Records linked to a work already known (earlier run, other source, seed, this batch). */
  duplicates: number;
  /** Works created, in order. */
  createdWorkIds: number[];
}

interface KnownWork extends WorkKeys {
  id: number;
}

export function payloadHash(r: SourceRecord): string {
  return createHash('sha256').update(JSON.stringify(r)).digest('hex');
}

/** Identifiers conflict when both sides carry one and they differ: such works are never merged. */
function conflicts(a: WorkKeys, b: WorkKeys): boolean {
  return Boolean((a.doi && b.doi && a.doi !== b.doi) || (a.pmid && b.pmid && a.pmid !== b.pmid));
}

function findKnown(keys: WorkKeys, known: KnownWork[]): KnownWork | undefined {
  return known.find(
    (w) => ((keys.doi && w.doi === keys.doi) || (keys.pmid && w.pmid === keys.pmid)) && !conflicts(keys, w),
  );
}

/**
 * Stages one batch in one transaction: each record is upserted by (source, source id); a record
 * whose identifiers match a known work is linked to it, else it becomes a new pending work.
 * Staging of one review is serialised by a transaction-scoped advisory lock, so two processes
 * never both create a work for the same paper. A record seen before changes nothing.
 */
export async function stageBatch(db: Db, ctx: StageContext, records: SourceRecord[]): Promise<StageResult> {
  const result: StageResult = { newWorks: 0, duplicates: 0, createdWorkIds: [] };
  if (records.length === 0) return result;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'stage:' + ctx.reviewId}))`);
    const ids = [...new Set(records.map((r) => r.sourceId))];
    const existing = await tx
      .select({ sourceId: sourceRecords.sourceId, hash: sourceRecords.payloadHash })
      .from(sourceRecords)
      .where(and(eq(sourceRecords.reviewId, ctx.reviewId), eq(sourceRecords.source, ctx.source), inArray(sourceRecords.sourceId, ids)));
    const seenHash = new Map(existing.map((e) => [e.sourceId, e.hash]));

    const fresh = records.filter((r) => !seenHash.has(r.sourceId));
    const keyed = fresh.map((r) => ({ record: r, keys: workKeys(r) }));
    const dois = [...new Set(keyed.map((k) => k.keys.doi).filter((v): v is string => !!v))];
    const pmids = [...new Set(keyed.map((k) => k.keys.pmid).filter((v): v is string => !!v))];
    const known: KnownWork[] =
      dois.length + pmids.length === 0
        ? []
        : await tx
            .select({ id: works.id, doi: works.doi, pmid: works.pmid, titleKey: works.titleKey })
            .from(works)
            .where(
              and(
                eq(works.reviewId, ctx.reviewId),
                or(dois.length ? inArray(works.doi, dois) : undefined, pmids.length ? inArray(works.pmid, pmids) : undefined),
              ),
            );

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
      const keys = workKeys(r);
      const match = findKnown(keys, known);
      let workId: number;
      let method: string;
      if (match) {
        workId = match.id;
        method = keys.doi && match.doi === keys.doi ? 'doi' : 'pmid';
        result.duplicates++;
        // Fill identifiers the work lacked (a DOI-only seed gains its PMID).
        if ((!match.doi && keys.doi) || (!match.pmid && keys.pmid)) {
          await tx
            .update(works)
            .set({ doi: match.doi ?? keys.doi, pmid: match.pmid ?? keys.pmid, updatedAt: sql`now()` })
            .where(eq(works.id, match.id));
          match.doi ??= keys.doi;
          match.pmid ??= keys.pmid;
        }
      } else {
        const [created] = await tx
          .insert(works)
          .values({
            reviewId: ctx.reviewId,
            origin: ctx.origin ?? 'candidate',
            status: ctx.origin === 'seed' ? 'included' : 'pending',
            doi: keys.doi,
            pmid: keys.pmid,
            pmcid: r.pmcid ?? null,
            title: r.title,
            titleKey: keys.titleKey,
            authors: r.authors,
            year: r.year ?? null,
            journal: r.journal ?? null,
            volume: r.volume ?? null,
            issue: r.issue ?? null,
            pages: r.pages ?? null,
            abstract: r.abstract ?? null,
            publicationTypes: r.publicationTypes ?? [],
            flags: r.flags,
            kind: r.kind ?? null,
            firstSeenRunId: ctx.runId,
          })
          .returning({ id: works.id });
        workId = created!.id;
        method = 'new';
        known.push({ id: workId, ...keys });
        result.newWorks++;
        result.createdWorkIds.push(workId);
      }
      await tx.insert(sourceRecords).values({
        reviewId: ctx.reviewId,
        source: ctx.source,
        sourceId: r.sourceId,
        payloadHash: hash,
        record: r,
        workId,
        matchMethod: method,
        firstRunId: ctx.runId,
        lastRunId: ctx.runId,
      });
    }
    return result;
  });
}
