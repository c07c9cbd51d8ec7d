// A maintainer's answer to an uncertain pair: 'different' is remembered (the pair is never proposed
// again), 'same' merges the two works into the older one.
import { and, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import {
  type MatchDecision,
  type WorkStatus,
  auditLog,
  matchReviews,
  screeningDecisions,
  seeds,
  sourceRecords,
  works,
} from '../db/schema/index.js';
import { flagNoticesReaching } from '../db/queries/attention.js';
import { PermanentError } from '../errors.js';
import { decidedStatus, reviewersPerRecord } from '../screening/record.js';
import { lockStaging } from './lock.js';

export interface MatchDecisionResult {
  reviewId: string;
  decision: MatchDecision;
  /** False when the pair had already been given this answer: nothing changed. */
  recorded: boolean;
  /** For 'same': the work kept and the one merged into it. */
  keptWorkId?: number;
  mergedWorkId?: number;
}

/**
 * Records a maintainer's answer to an uncertain pair of `reviewId`. Two answers at once are taken
 * one after the other (the pair's row is locked): the second sees the first.
 */
export async function decideMatch(db: Db, reviewId: string, matchReviewId: number, decision: MatchDecision, maintainerEmail: string): Promise<MatchDecisionResult> {
  return db.transaction(async (tx) => {
    // Same lock as staging: a batch never sees a half-merged pair.
    await lockStaging(tx, reviewId);
    const perRecord = (await reviewersPerRecord(tx, reviewId)) ?? 1;
    const [pair] = await tx.select().from(matchReviews).where(and(eq(matchReviews.id, matchReviewId), eq(matchReviews.reviewId, reviewId))).for('update');
    // A merge answered meanwhile may have replaced the pair by one about the kept work.
    if (!pair) throw new PermanentError(`match review ${matchReviewId} not found in review ${reviewId}: another answer may have changed it; reload the page`);
    if (pair.decision) {
      if (pair.decision !== decision) throw new PermanentError(`match review ${matchReviewId} was already decided '${pair.decision}' by ${pair.decidedBy}`);
      return { reviewId: pair.reviewId, decision, recorded: false };
    }
    await tx
      .update(matchReviews)
      .set({ decision, decidedBy: maintainerEmail, decidedAt: sql`now()` })
      .where(eq(matchReviews.id, matchReviewId));
    const merged = decision === 'same' ? await mergeWorks(tx, pair.workA, pair.workB, perRecord) : undefined;
    await tx.insert(auditLog).values({
      reviewId: pair.reviewId,
      actor: maintainerEmail,
      channel: 'maintainer',
      action: decision === 'same' ? 'works.merged' : 'works.kept-apart',
      entity: 'match_review',
      entityId: String(matchReviewId),
      details: { workA: pair.workA, workB: pair.workB, ...merged },
    });
    return { reviewId: pair.reviewId, decision, recorded: true, ...merged };
  });
}

/**
 * Moves everything of one work onto the other (a seed, else the older one): source records,
 * screening decisions, seeds, block keys, relations and open questions. The merged row stays,
 * pointing at the kept one.
 */
async function mergeWorks(tx: Db, a: number, b: number, perRecord: number): Promise<{ keptWorkId: number; mergedWorkId: number; statusBefore: { kept: WorkStatus; merged: WorkStatus }; status: WorkStatus }> {
  // Row locks, as recordDecision takes: a decision on either work lands before or after the merge.
  const rows = await tx.select().from(works).where(or(eq(works.id, a), eq(works.id, b))).for('update');
  const [x, y] = [rows.find((w) => w.id === a), rows.find((w) => w.id === b)];
  if (!x || !y || x.mergedIntoId || y.mergedIntoId) throw new PermanentError(`works ${a} and ${b} cannot be merged: one is gone or already merged`);
  const keepX = (x.origin === 'seed') !== (y.origin === 'seed') ? x.origin === 'seed' : x.id < y.id;
  const [kept, gone] = keepX ? [x, y] : [y, x];
  const move = { keep: kept.id, gone: gone.id };
  await tx.update(sourceRecords).set({ workId: kept.id, matchMethod: 'maintainer', updatedAt: sql`now()` }).where(eq(sourceRecords.workId, gone.id));
  await tx.update(screeningDecisions).set({ workId: kept.id }).where(eq(screeningDecisions.workId, gone.id));
  await tx.update(seeds).set({ workId: kept.id }).where(eq(seeds.workId, gone.id));
  await tx.execute(sql`
    with moved as (delete from work_block_keys where work_id = ${move.gone} returning review_id, key)
    insert into work_block_keys (review_id, key, work_id) select review_id, key, ${move.keep}::bigint from moved on conflict do nothing`);
  await tx.execute(sql`
    with moved as (delete from work_relations where from_work_id = ${move.gone} or to_work_id = ${move.gone} returning *)
    insert into work_relations (review_id, from_work_id, to_work_id, type, created_at)
    select review_id,
      case when from_work_id = ${move.gone} then ${move.keep}::bigint else from_work_id end,
      case when to_work_id = ${move.gone} then ${move.keep}::bigint else to_work_id end,
      type, created_at
    from moved where from_work_id <> to_work_id and not (${move.keep} in (from_work_id, to_work_id) and ${move.gone} in (from_work_id, to_work_id))
    on conflict do nothing`);
  // Open questions about the merged work become questions about the kept one.
  await tx.execute(sql`
    with moved as (
      delete from match_reviews where decision is null and ${move.gone} in (work_a, work_b) returning *)
    insert into match_reviews (review_id, work_a, work_b, score, reason, created_at)
    select review_id, least(o, ${move.keep}::bigint), greatest(o, ${move.keep}::bigint), score, reason, created_at
    from (select *, case when work_a = ${move.gone} then work_b else work_a end as o from moved) m
    where o <> ${move.keep}
    on conflict do nothing`);
  // A seed is always the kept work (its origin stands, and it stays included). Otherwise the status
  // comes from the decisions both works now share, as any new decision would: each reviewer's
  // latest counts, so two reviewers' votes on the two copies make an agreement or a conflict.
  const status: WorkStatus = kept.origin === 'seed' ? 'included' : (await decidedStatus(tx, kept.id, perRecord)).status;
  await tx
    .update(works)
    .set({
      status,
      doi: kept.doi ?? gone.doi,
      pmid: kept.pmid ?? gone.pmid,
      pmcid: kept.pmcid ?? gone.pmcid,
      attention: [kept.attention, gone.attention].filter(Boolean).join('; ') || null,
      updatedAt: sql`now()`,
    })
    .where(eq(works.id, kept.id));
  await tx.update(works).set({ mergedIntoId: kept.id, updatedAt: sql`now()` }).where(eq(works.id, gone.id));
  if (status === 'included') await flagNoticesReaching(tx, kept.id);
  // In the audit log: a merge can settle a work (two copies' includes) with no decision of its own.
  return { keptWorkId: kept.id, mergedWorkId: gone.id, statusBefore: { kept: kept.status, merged: gone.status }, status };
}
