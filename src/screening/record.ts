import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { flagNoticesReaching } from '../db/queries/attention.js';
import { liveWorkId } from '../db/queries/candidates.js';
import { auditLog, reviewers, reviews, screeningDecisions, works, type Channel, type Decision, type WorkStatus } from '../db/schema/index.js';
import { PermanentError } from '../errors.js';
import { type DecisionFact, type DecisionResult, isResolved, repeatsStanding, workStatus } from './rules.js';

export type { DecisionResult } from './rules.js';

export interface DecisionInput {
  workId: number;
  reviewerId: number;
  decision: Decision;
  reason: string | null;
  channel: Channel;
  /** Id of the signed link or page button that carried the decision; null from the CLI. */
  tokenId: string | null;
  /**
   * A resolution made on a page: the latest resolution's id (0 for none) when the page was shown.
   * Another one since means someone resolved the work meanwhile, and this one is refused.
   */
  seenResolution?: number;
  /**
   * From the command line: a maintainer's decision on a disputed work (in conflict, or resolved
   * before) resolves it. Judged under the row lock, so a conflict that arises while the command
   * waits for it is resolved, not voted on.
   */
  resolveDisputed?: boolean;
}

export interface DecisionOutcome {
  /** The work decided: the input's, or the work it has since been merged into. */
  workId: number;
  /** The input's channel, or `maintainer` where `resolveDisputed` made the decision a resolution. */
  channel: Channel;
  result: DecisionResult;
  /** The row that stands for this decision: the new one, the token's, or the one it repeats. */
  decisionId: number;
  /** The decision stored under the token (differs from the input only on a replay). */
  decision: Decision;
  /** The reviewer's latest decision on the work: on a replay, maybe not this token's any more. */
  standing: Decision;
  statusBefore: WorkStatus;
  status: WorkStatus;
  /** A maintainer has resolved the work: a reviewer's vote is kept but the resolution stands. */
  resolved: boolean;
}

/**
 * Records one screening decision and recomputes the work's status, in one transaction that holds
 * the work's row lock so concurrent decisions on a work are applied one after the other. A token
 * id already used, or a decision that repeats the reviewer's latest one, records nothing; every
 * write is audited. A decision on a work merged into another is recorded on that one.
 */
export async function recordDecision(db: Db, input: DecisionInput): Promise<DecisionOutcome> {
  return db.transaction(async (tx) => {
    const [owner] = await tx.select({ reviewId: works.reviewId }).from(works).where(eq(works.id, input.workId));
    const perRecord = owner ? await reviewersPerRecord(tx, owner.reviewId) : undefined;
    const workId = (await liveWorkId(tx, input.workId, { lock: true })) ?? input.workId;
    const [row] = await tx
      .select({ id: works.id, reviewId: works.reviewId, origin: works.origin, status: works.status })
      .from(works)
      .where(eq(works.id, workId))
      .for('update');
    const work = row && perRecord !== undefined ? { ...row, perRecord } : undefined;
    if (!work) throw new PermanentError(`no candidate with id ${input.workId}`);
    if (work.origin !== 'candidate') {
      const merged = workId === input.workId ? '' : ` (merged into ${workId})`;
      throw new PermanentError(`work ${input.workId}${merged} is one of the original review's included studies (a seed): it is included without screening`);
    }
    const [reviewer] = await tx.select().from(reviewers).where(eq(reviewers.id, input.reviewerId));
    if (!reviewer || reviewer.reviewId !== work.reviewId || reviewer.active !== 1) {
      throw new PermanentError(`reviewer ${input.reviewerId} does not screen review ${work.reviewId}`);
    }
    if (input.channel === 'maintainer' && reviewer.role !== 'maintainer') {
      throw new PermanentError(`${reviewer.email} is not a maintainer of ${work.reviewId}`);
    }
    // Read under the row lock: a decision committed by a request that held it first is seen.
    const before = await decisionFacts(tx, work.id);
    const latest = before.filter((f) => f.reviewerId === input.reviewerId).at(-1);
    const resolves = input.resolveDisputed === true && reviewer.role === 'maintainer' && (work.status === 'conflict' || isResolved(before));
    const channel: Channel = resolves ? 'maintainer' : input.channel;
    const unchanged = { workId, channel, statusBefore: work.status, status: work.status, resolved: isResolved(before) };
    const [used] = input.tokenId === null ? [] : await tx.select({ id: screeningDecisions.id, decision: screeningDecisions.decision }).from(screeningDecisions).where(eq(screeningDecisions.tokenId, input.tokenId));
    if (used) return { ...unchanged, result: 'replayed', decisionId: used.id, decision: used.decision, standing: latest?.decision ?? used.decision };
    const resolution = before.filter((f) => f.channel === 'maintainer').at(-1);
    if (input.seenResolution !== undefined && (resolution?.seq ?? 0) !== input.seenResolution) {
      const [by] = await tx.select({ email: reviewers.email }).from(reviewers).where(eq(reviewers.id, resolution!.reviewerId));
      throw new PermanentError(`${by?.email ?? 'another maintainer'} resolved this record as ${resolution!.decision} after the page was shown; reload the page to resolve it again`);
    }
    if (latest && repeatsStanding(latest, { ...input, channel })) return { ...unchanged, result: 'unchanged', decisionId: latest.seq, decision: input.decision, standing: input.decision };
    const [inserted] = await tx
      .insert(screeningDecisions)
      .values({ reviewId: work.reviewId, workId, reviewerId: input.reviewerId, decision: input.decision, reason: input.reason, channel, tokenId: input.tokenId })
      .returning({ id: screeningDecisions.id });
    const { facts, status } = await decidedStatus(tx, work.id, work.perRecord);
    if (status !== work.status) {
      await tx.update(works).set({ status, updatedAt: sql`now()` }).where(eq(works.id, work.id));
      if (status === 'included') await flagNoticesReaching(tx, work.id);
    }
    const action = channel === 'maintainer' ? 'screening.resolved' : latest ? 'screening.changed' : 'screening.decided';
    await tx.insert(auditLog).values({
      reviewId: work.reviewId,
      actor: reviewer.email,
      channel,
      action,
      entity: 'work',
      entityId: String(work.id),
      details: {
        decision: input.decision,
        reason: input.reason,
        previous: latest?.decision ?? null,
        statusBefore: work.status,
        status,
        decisionId: inserted!.id,
      },
    });
    return { workId, channel, result: 'recorded', decisionId: inserted!.id, decision: input.decision, standing: input.decision, statusBefore: work.status, status, resolved: isResolved(facts) };
  });
}

/**
 * The review's reviewers_per_record, its row held (shared) until the transaction ends. Taken
 * before any work row: a change of the setting (syncProtocol updates that row, then restatuses
 * every decided work) and a status computed from it lock in the same order, so the computation
 * either commits before the restatus sees it or reads the new value.
 */
export async function reviewersPerRecord(tx: Db, reviewId: string): Promise<number | undefined> {
  const [review] = await tx.select({ perRecord: reviews.reviewersPerRecord }).from(reviews).where(eq(reviews.id, reviewId)).for('share');
  return review?.perRecord;
}

/** A candidate's decisions, in order, with their reasons. */
export function decisionFacts(db: Db, workId: number): Promise<(DecisionFact & { reason: string | null })[]> {
  return db
    .select({ seq: screeningDecisions.id, reviewerId: screeningDecisions.reviewerId, decision: screeningDecisions.decision, channel: screeningDecisions.channel, reason: screeningDecisions.reason })
    .from(screeningDecisions)
    .where(eq(screeningDecisions.workId, workId))
    .orderBy(asc(screeningDecisions.id));
}

/** A candidate's decisions, in order, and the status they give it. */
export async function decidedStatus(db: Db, workId: number, reviewersPerRecord: number): Promise<{ facts: DecisionFact[]; status: WorkStatus }> {
  const facts = await decisionFacts(db, workId);
  return { facts, status: workStatus(facts, reviewersPerRecord === 2 ? 2 : 1) };
}

/** Finds a review's reviewer by email (case-insensitive, as the protocol sync stores it). */
export async function findReviewer(db: Db, reviewId: string, email: string) {
  const [row] = await db
    .select()
    .from(reviewers)
    .where(and(eq(reviewers.reviewId, reviewId), eq(reviewers.email, email.trim().toLowerCase())));
  return row;
}

/**
 * Where a reviewer stands on a (live) work and what a link's token recorded, read without deciding:
 * a link opened again shows them before anything is pressed.
 */
export async function decisionState(db: Db, workId: number, reviewerId: number, tokenId: string | null): Promise<{ facts: DecisionFact[]; standing: DecisionFact | undefined; used: Decision | undefined; resolved: boolean; resolution: DecisionFact | undefined }> {
  const facts = await decisionFacts(db, workId);
  const [used] = tokenId === null ? [] : await db.select({ decision: screeningDecisions.decision }).from(screeningDecisions).where(eq(screeningDecisions.tokenId, tokenId));
  const resolution = facts.filter((f) => f.channel === 'maintainer').at(-1);
  return { facts, standing: facts.filter((f) => f.reviewerId === reviewerId).at(-1), used: used?.decision, resolved: resolution !== undefined, resolution };
}
