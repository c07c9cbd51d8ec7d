import { and, asc, desc, eq, gt, isNotNull, isNull, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { BuildAliasTable } from 'drizzle-orm/pg-core';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { flaggedWorks } from '../db/queries/status.js';
import { DECISIONS, digests, reviewers, reviews, screeningDecisions, searchRuns, works } from '../db/schema/index.js';
import type { Decision } from '../db/schema/index.js';
import { TTL } from '../links/tokens.js';
import { signedLink, type LinkSigner } from '../links/urls.js';
import { liveWorks } from '../db/queries/candidates.js';
import { longestGapMs, previousTick } from './period.js';
import { renderDigest, type DigestModel, type DigestRecord, type RenderedDigest } from './render.js';

/** A digest lists at most this many records; the rest wait in the reviewer's queue page. */
export const DIGEST_PAGE = 50;

export type ReviewerRow = typeof reviewers.$inferSelect;

/** Works of a review that still need this reviewer's decision (the queue page shows all of them). */
export function needsDecision(reviewerId: number, reviewId: string) {
  return and(
    liveWorks(reviewId),
    eq(works.origin, 'candidate'),
    eq(works.status, 'pending'),
    sql`not exists (select 1 from ${screeningDecisions} d where d.work_id = ${works.id} and d.reviewer_id = ${reviewerId})`,
  );
}

/** Digest order: by relevance where a score exists, then newest first. */
export const DIGEST_ORDER = [sql`${works.relevance} desc nulls last`, desc(works.firstSeenAt), asc(works.id)];

/** The columns a digest, a queue or a triage page shows of a work (or of an alias of `works`). */
export function summaryColumns(w: typeof works | BuildAliasTable<typeof works, string>) {
  return { workId: w.id, title: w.title, authors: w.authors, journal: w.journal, year: w.year, pmid: w.pmid, doi: w.doi, abstract: w.abstract, flags: w.flags, kind: w.kind };
}
const recordColumns = summaryColumns(works);

export type WorkSummary = Omit<DigestRecord, 'links'>;

/**
 * Works waiting for the reviewer that no earlier digest to them announced. Works listed in a digest
 * that failed permanently, or was cancelled unsent, are offered again: an undelivered digest never
 * hides a record.
 */
export async function newForReviewer(db: Db, reviewer: ReviewerRow): Promise<{ records: WorkSummary[]; total: number }> {
  const where = and(
    needsDecision(reviewer.id, reviewer.reviewId),
    // NOT IN over the unnested ids is one hashed set; `= any(work_ids)` per work and digest took
    // 13 s on 70,000 pending works and 200 digests (77 ms so).
    sql`${works.id}::text not in (select unnest(g.work_ids) from ${digests} g where g.reviewer_id = ${reviewer.id} and g.status not in ('failed', 'cancelled'))`,
  );
  return firstWorks(db, where, DIGEST_PAGE);
}

/** Records a queue page shows: one page renders in a moment however long the queue grows. */
export const QUEUE_PAGE = 50;

/** The reviewer's best-ranked waiting works; each decision makes room for the next. */
export function queueFor(db: Db, reviewer: ReviewerRow): Promise<{ records: WorkSummary[]; total: number }> {
  return firstWorks(db, needsDecision(reviewer.id, reviewer.reviewId), QUEUE_PAGE);
}

/** The first `limit` works that meet `where`, as digests and pages show them, and how many meet it. */
export async function firstWorks(db: Db, where: SQL | undefined, limit: number, order: SQL[] = DIGEST_ORDER): Promise<{ records: WorkSummary[]; total: number }> {
  const records = await db.select(recordColumns).from(works).where(where).orderBy(...order).limit(limit);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(works).where(where);
  return { records, total: Number(count?.n ?? 0) };
}

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** How long a digest's links last and how far apart digests come, for one digest schedule. */
export interface DigestLifetime {
  /** Lifetime of its decision, queue and conflicts links. */
  linkTtlMs: number;
  /** The longest gap between two digests (a monthly one's 31-day month). */
  gapMs: number;
}

/**
 * A digest's links last their 30 days, or where digests come further apart (monthly), until a week
 * after the next digest: a reviewer is never left with links that expired before new ones came.
 */
export function digestLifetime(schedule: { digest: string; timezone: string }, from: Date): DigestLifetime {
  const gapMs = longestGapMs(schedule.digest, schedule.timezone, from, 16);
  return { linkTtlMs: Math.max(Math.min(TTL.decide, TTL.queue) * 1000, gapMs + WEEK_MS), gapMs };
}

/**
 * Whether a reviewer with records still waiting, and nothing new, is sent them again with fresh
 * links: when the next digest would come after the last one's links entered their final week (or
 * expired). Counted between periods (ticks), so when a run happens within one does not change it.
 */
export function reminderDue(lastPeriod: Date | undefined, period: Date, life: DigestLifetime): boolean {
  return lastPeriod !== undefined && period.getTime() + life.gapMs > lastPeriod.getTime() + life.linkTtlMs - WEEK_MS;
}

/** The reviewer's latest digest that reached them or may yet (failed and cancelled ones did not). */
async function lastDigest(db: Db, reviewerId: number): Promise<{ period: Date; createdAt: Date } | undefined> {
  const [row] = await db
    .select({ period: digests.period, createdAt: digests.createdAt })
    .from(digests)
    .where(and(eq(digests.reviewerId, reviewerId), notInArray(digests.status, ['failed', 'cancelled'])))
    .orderBy(desc(digests.createdAt), desc(digests.id))
    .limit(1);
  return row && { period: new Date(row.period), createdAt: row.createdAt };
}

/**
 * New works per source of the runs that finished after `since`. Counted from the reviewer's last
 * digest, like the works it lists (`newForReviewer`): counted from the previous tick, a run that
 * finished between a tick and its digest was counted in two digests.
 */
async function runsSince(db: Db, reviewId: string, since: Date): Promise<DigestModel['newBySource']> {
  const rows = await db
    .select({ source: searchRuns.source, newWorks: sql<number>`sum(${searchRuns.newWorks})::int` })
    .from(searchRuns)
    .where(and(eq(searchRuns.reviewId, reviewId), eq(searchRuns.status, 'ok'), gt(searchRuns.finishedAt, since)))
    .groupBy(searchRuns.source)
    .orderBy(searchRuns.source);
  return rows.map((r) => ({ source: r.source, newWorks: Number(r.newWorks) }));
}

/**
 * Conflicts and flagged works (retractions, corrections) that appeared after `since`, all of them
 * without a last digest: a maintainer hears of them even when nothing new came to screen, and once,
 * not every period they stay. A work's `updated_at` moves when it becomes a conflict or is flagged.
 */
async function attentionSince(db: Db, reviewId: string, since: Date | undefined): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(works)
    .where(and(liveWorks(reviewId), or(eq(works.status, 'conflict'), isNotNull(works.attention)), since ? gt(works.updatedAt, since) : undefined));
  return Number(row?.n ?? 0);
}

export interface PlannedDigest {
  reviewer: ReviewerRow;
  reviewId: string;
  period: Date;
  workIds: number[];
  unsubscribeUrl: string;
  rendered: RenderedDigest;
}

/**
 * Builds the digests of one review for one period: one per active, subscribed reviewer that has
 * no digest for the period yet and has something new (or always, with `nothing_new_notes`); a
 * maintainer's news includes new conflicts and flagged works. A reviewer with nothing new whose
 * last digest's links are about to expire is sent what still waits for them (`reminderDue`).
 */
export async function planDigests(db: Db, protocol: Protocol, period: Date, links: LinkSigner): Promise<PlannedDigest[]> {
  const [review] = await db.select().from(reviews).where(eq(reviews.id, protocol.id));
  if (!review) return [];
  const people = await db
    .select()
    .from(reviewers)
    .where(and(eq(reviewers.reviewId, review.id), eq(reviewers.active, 1), isNull(reviewers.unsubscribedAt)))
    .orderBy(asc(reviewers.id));
  const already = new Set(
    (await db.select({ r: digests.reviewerId }).from(digests).where(and(eq(digests.reviewId, review.id), eq(digests.period, period.toISOString())))).map((d) => d.r),
  );
  const firstSince = previousTick(protocol.schedule.digest, protocol.schedule.timezone, period);
  const [conflicts] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(works)
    .where(and(liveWorks(review.id), eq(works.status, 'conflict')));
  const flagged = await flaggedWorks(db, review.id);

  const life = digestLifetime(protocol.schedule, period);
  const ttl = Math.round(life.linkTtlMs / 1000);
  // The decision, queue and conflicts links last as long as the schedule needs.
  const signer: LinkSigner = { ...links, ttl: { decide: ttl, queue: ttl, conflicts: ttl } };

  const planned: PlannedDigest[] = [];
  for (const reviewer of people.filter((p) => !already.has(p.id))) {
    const last = await lastDigest(db, reviewer.id);
    const fresh = await newForReviewer(db, reviewer);
    // Nothing new, and the last digest's links expire soon: the queue again, with fresh links.
    const waiting = fresh.total === 0 && reminderDue(last?.period, period, life) ? await queueFor(db, reviewer) : undefined;
    const reminder = waiting !== undefined && waiting.total > 0;
    const { records, total } = reminder ? waiting : fresh;
    const maintainer = reviewer.role === 'maintainer';
    const news = total === 0 && maintainer && (await attentionSince(db, review.id, last?.createdAt)) > 0;
    if (total === 0 && !news && !protocol.screening.nothing_new_notes) continue;
    const newBySource = await runsSince(db, review.id, last?.createdAt ?? firstSince);
    const model: DigestModel = {
      review: { id: review.id, title: review.title },
      reviewer: { name: reviewer.name, email: reviewer.email, role: reviewer.role },
      period,
      timeZone: protocol.schedule.timezone,
      records: records.map((r) => ({
        ...r,
        links: Object.fromEntries(
          DECISIONS.map((action) => [action, signedLink(signer, 'decide', { reviewerId: reviewer.id, workId: r.workId, action })]),
        ) as Record<Decision, string>,
      })),
      more: total - records.length,
      ...(reminder ? { reminder } : {}),
      newBySource,
      conflicts: Number(conflicts?.n ?? 0),
      queueUrl: signedLink(signer, 'queue', { reviewerId: reviewer.id }),
      unsubscribeUrl: signedLink(signer, 'unsubscribe', { reviewerId: reviewer.id }),
      ...(maintainer ? { conflictsUrl: signedLink(signer, 'conflicts', { reviewerId: reviewer.id }), flagged } : {}),
    };
    planned.push({
      reviewer,
      reviewId: review.id,
      period,
      workIds: records.map((r) => r.workId),
      unsubscribeUrl: model.unsubscribeUrl,
      rendered: renderDigest(model),
    });
  }
  return planned;
}
