import { randomBytes } from 'node:crypto';
import type { Server, ServerResponse } from 'node:http';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { alias } from 'drizzle-orm/pg-core';
import { answerAmbiguous } from '../digest/outbox.js';
import { auditLog, DECISIONS, DELIVERY_ANSWERS, digests, MATCH_DECISIONS, matchReviews, reviewers, reviews, screeningDecisions, works, type Channel, type Decision } from '../db/schema/index.js';
import { liveWorkId, liveWorks } from '../db/queries/candidates.js';
import { flaggedWorks } from '../db/queries/status.js';
import { firstWorks, QUEUE_PAGE, queueFor, summaryColumns, type ReviewerRow } from '../digest/build.js';
import { PermanentError } from '../errors.js';
import { signToken, tokenRef, TokenError, TTL, ttlWithin, verifyToken, type Claims, type Purpose, type SignInput } from '../links/tokens.js';
import { signedLink, type LinkSigner } from '../links/urls.js';
import type { Logger } from '../log.js';
import { decisionState, recordDecision } from '../screening/record.js';
import { decideMatch } from '../staging/decide.js';
import { composeReason, workStatus, type DecisionFact } from '../screening/rules.js';
import { createApp, HttpError, listen, sendPage, type App, type Request } from './app.js';
import { confirmPage, conflictsPage, decidedPage, errorPage, queuePage, unsubscribePage, type LastDecided, type MatchItem, type WorkView } from './pages.js';

export interface TriageDeps {
  db: Db;
  secret: string;
  publicUrl: string;
  protocols: Protocol[];
  log: Logger;
  now?: () => Date;
}

const TOKEN_STATUS: Record<TokenError['problem'], [number, string]> = {
  malformed: [400, 'This link is incomplete or damaged. Copy the whole link from the email.'],
  'bad-signature': [403, 'This link was not issued by this service, or it was changed.'],
  'wrong-purpose': [403, 'This link is not meant for this page.'],
  expired: [410, 'This link is too old to use.'],
};

/** Pages for screening from email: confirm-then-POST actions, queue, conflicts, unsubscribe. */
export function addTriageRoutes(app: App, deps: TriageDeps): App {
  const { db, log } = deps;
  const now = () => deps.now?.() ?? new Date();
  const signer: LinkSigner = { secret: deps.secret, publicUrl: deps.publicUrl, now };

  function verify(token: string, purpose: Purpose): Claims {
    try {
      return verifyToken(deps.secret, token, purpose, now());
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      log.warn({ purpose, problem: err.problem }, 'link refused');
      const [status, message] = TOKEN_STATUS[err.problem];
      throw new HttpError(status, message);
    }
  }

  /**
   * The link's reviewer, refused once they left the protocol; `unsubscribe` accepts them anyway: a
   * removed reviewer may still hold mail and its one-click unsubscribe must work (RFC 8058).
   */
  async function reviewerOf(claims: Claims, need?: 'maintainer' | 'unsubscribe'): Promise<ReviewerRow & { reviewTitle: string; protocol: Protocol | undefined }> {
    const [row] = await db
      .select({ reviewer: reviewers, reviewTitle: reviews.title })
      .from(reviewers)
      .innerJoin(reviews, eq(reviews.id, reviewers.reviewId))
      .where(eq(reviewers.id, claims.r));
    if (!row || (row.reviewer.active !== 1 && need !== 'unsubscribe')) throw new HttpError(403, 'This reviewer no longer screens this review.');
    if (need === 'maintainer' && row.reviewer.role !== need) throw new HttpError(403, 'This page is for maintainers.');
    return { ...row.reviewer, reviewTitle: row.reviewTitle, protocol: deps.protocols.find((p) => p.id === row.reviewer.reviewId) };
  }

  /** The work a link names, or the one it has since been merged into (where its decisions go). */
  async function workOf(workId: number, reviewId: string): Promise<WorkView & { status: (typeof works.$inferSelect)['status'] }> {
    const live = await liveWorkId(db, workId);
    const [w] = await db
      .select({ ...summaryColumns(works), status: works.status, origin: works.origin })
      .from(works)
      .where(and(eq(works.id, live ?? workId), eq(works.reviewId, reviewId)));
    if (!w) throw new HttpError(404, 'This record is not part of the review any more.');
    // Declared one of the original review's studies since the link was sent (a seed import).
    if (w.origin === 'seed') throw new HttpError(409, "This record is one of the original review's included studies, so it is included without screening.");
    const { origin: _origin, ...work } = w;
    return work;
  }

  function reasonsOf(protocol: Protocol | undefined): readonly string[] {
    return protocol?.screening.exclusion_reasons ?? [];
  }

  async function decide(form: URLSearchParams, claims: Claims, reviewer: { id: number; protocol: Protocol | undefined }, channel: Channel) {
    let reason: string | null;
    try {
      reason = composeReason(form.get('reason_code') ?? undefined, form.get('reason_text') ?? undefined, reasonsOf(reviewer.protocol));
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    try {
      const outcome = await recordDecision(db, { workId: claims.w!, reviewerId: reviewer.id, decision: claims.a!, reason, channel, tokenId: claims.j, ...(claims.s === undefined ? {} : { seenResolution: claims.s }) });
      log.info({ channel, work: claims.w, token: tokenRef(claims), result: outcome.result }, 'decision');
      return outcome;
    } catch (err) {
      if (err instanceof PermanentError) throw new HttpError(409, err.message);
      throw err;
    }
  }

  /** Per-button tokens, one per choice: each press carries its own id, so a resubmitted form is a replay. */
  function tokensFor<C extends string>(choices: readonly C[], ttl: number, claims: (choice: C) => Omit<SignInput, 'ttl' | 'now'>): Record<C, string> {
    return Object.fromEntries(choices.map((c) => [c, signToken(deps.secret, { ...claims(c), ttl, now: now() })])) as Record<C, string>;
  }

  /** `seenResolution`: for resolve buttons, the resolution (id, 0 for none) the page shows the work with. */
  function buttons(purpose: 'decide' | 'resolve', reviewerId: number, workId: number, page: Claims, seenResolution?: number): Record<Decision, string> {
    // A decide button also works as an emailed link (/a/): it must not outlive the page's own link.
    return tokensFor(DECISIONS, ttlWithin(TTL.resolve, page, now()), (action) => ({ purpose, reviewerId, workId, action, ...(seenResolution === undefined ? {} : { seenResolution }) }));
  }

  /** Uncertain pairs still open, each side shown like a record, with Same/Different buttons. */
  async function openMatches(reviewId: string, maintainerId: number): Promise<{ items: MatchItem[]; total: number }> {
    const a = alias(works, 'a');
    const b = alias(works, 'b');
    const open = and(eq(matchReviews.reviewId, reviewId), isNull(matchReviews.decision), isNull(a.mergedIntoId), isNull(b.mergedIntoId));
    const rows = await db
      .select({ id: matchReviews.id, score: matchReviews.score, reason: matchReviews.reason, a: summaryColumns(a), b: summaryColumns(b) })
      .from(matchReviews)
      .innerJoin(a, eq(a.id, matchReviews.workA))
      .innerJoin(b, eq(b.id, matchReviews.workB))
      .where(open)
      .orderBy(asc(matchReviews.id))
      .limit(QUEUE_PAGE);
    const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(matchReviews).innerJoin(a, eq(a.id, matchReviews.workA)).innerJoin(b, eq(b.id, matchReviews.workB)).where(open);
    const items = rows.map((r) => ({
      ...r,
      tokens: tokensFor(MATCH_DECISIONS, TTL.match, (matchDecision) => ({ purpose: 'match', reviewerId: maintainerId, matchId: r.id, matchDecision })),
    }));
    return { items, total: Number(count?.n ?? 0) };
  }

  /** A button's token must belong to the page's reviewer. */
  function buttonClaims(form: URLSearchParams, purpose: 'decide' | 'resolve', page: Claims): Claims {
    const claims = verify(form.get('t') ?? '', purpose);
    if (claims.r !== page.r || claims.w === undefined || claims.a === undefined) throw new HttpError(403, 'This button belongs to another reviewer.');
    return claims;
  }

  const recordedNote = (req: Request) => {
    const q = new URL(req.raw.url ?? '/', 'http://x').searchParams;
    const [done, already] = [q.get('recorded'), q.get('already')];
    return done ? `Recorded: ${done}.` : already ? `Already recorded: ${already}.` : undefined;
  };
  /**
   * Post/redirect/get: reloading the page never resubmits. The target is the page itself as the
   * browser sees it (a query-only reference), so it holds behind a proxy that adds a path prefix.
   */
  const backToPage = (res: ServerResponse, recorded: boolean, what: string, workId?: number) =>
    res
      .writeHead(303, { Location: `?${recorded ? 'recorded' : 'already'}=${encodeURIComponent(what)}${workId === undefined ? '' : `&work=${workId}`}`, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' })
      .end();

  /** What a page reached from a decision link offers: the queue, and buttons to change the decision. */
  const afterDecision = (reviewer: ReviewerRow & { protocol: Protocol | undefined }, workId: number, claims: Claims) => ({
    queueUrl: signedLink(signer, 'queue', { reviewerId: reviewer.id }, claims),
    change: buttons('decide', reviewer.id, workId, claims),
    reasons: reasonsOf(reviewer.protocol),
  });

  /**
   * The work a page's last answer was about (`?work=` after the redirect), while the page's
   * reviewer's latest decision on it is of the kind the page makes: a queue vote, or a
   * maintainer's resolution on the conflicts page. It has left the page's list, so without this
   * a mis-click could be undone only from an email link or the command line.
   */
  async function lastDecided(req: Request, reviewer: ReviewerRow, purpose: 'decide' | 'resolve', page: Claims): Promise<LastDecided | undefined> {
    const param = new URL(req.raw.url ?? '/', 'http://x').searchParams.get('work') ?? '';
    if (!/^\d{1,15}$/.test(param)) return undefined;
    const workId = await liveWorkId(db, Number(param));
    if (workId === undefined) return undefined;
    const [work] = await db.select(summaryColumns(works)).from(works).where(and(eq(works.id, workId), eq(works.reviewId, reviewer.reviewId), eq(works.origin, 'candidate')));
    const { standing, resolution } = await decisionState(db, workId, reviewer.id, null);
    if (!work || !standing || (standing.channel === 'maintainer') !== (purpose === 'resolve')) return undefined;
    // On the conflicts page, the resolution that stands, whoever made it last.
    return { work, decision: purpose === 'resolve' ? resolution!.decision : standing.decision, tokens: buttons(purpose, reviewer.id, workId, page, purpose === 'resolve' ? (resolution?.seq ?? 0) : undefined) };
  }

  // Emailed action links: GET (and HEAD, as scanners send) only shows; POST records.
  app.route('GET', '/a/:token', async (req, res) => {
    const claims = verify(req.params.token!, 'decide');
    const reviewer = await reviewerOf(claims);
    const work = await workOf(claims.w!, reviewer.reviewId);
    const state = await decisionState(db, work.workId, reviewer.id, claims.j);
    // A used link shows what it recorded and how to change it, not a button that would do nothing.
    if (state.used) {
      const standing = state.standing?.decision ?? state.used;
      return sendPage(res, 200, decidedPage({ work, decision: state.used, standing, result: 'replayed', status: work.status, resolved: state.resolved, ...afterDecision(reviewer, work.workId, claims) }));
    }
    // What pressing would do, so a reviewer is not surprised by a conflict they were not told of.
    const press: DecisionFact = { reviewerId: reviewer.id, decision: claims.a!, channel: 'email', seq: Number.MAX_SAFE_INTEGER };
    const makes = workStatus([...state.facts, press], reviewer.protocol?.screening.reviewers_per_record ?? 1);
    sendPage(res, 200, confirmPage({ work, action: claims.a!, reviewerName: reviewer.name, reasons: reasonsOf(reviewer.protocol), status: work.status, standing: state.standing?.decision, makesConflict: makes === 'conflict' && work.status !== 'conflict', resolved: state.resolved }));
  });
  app.route('POST', '/a/:token', async (req, res) => {
    const claims = verify(req.params.token!, 'decide');
    const reviewer = await reviewerOf(claims);
    const outcome = await decide(await req.form(), claims, reviewer, 'email');
    const work = await workOf(claims.w!, reviewer.reviewId);
    sendPage(res, 200, decidedPage({ work, decision: outcome.decision, standing: outcome.standing, result: outcome.result, status: outcome.status, resolved: outcome.resolved, ...afterDecision(reviewer, outcome.workId, claims) }));
  });

  // The reviewer's queue: every work still waiting for their decision, and the one just decided.
  app.route('GET', '/q/:token', async (req, res) => {
    const claims = verify(req.params.token!, 'queue');
    const reviewer = await reviewerOf(claims);
    const queue = await queueFor(db, reviewer);
    const items = queue.records.map((work) => ({ work, tokens: buttons('decide', reviewer.id, work.workId, claims) }));
    const nonce = randomBytes(16).toString('base64');
    const note = recordedNote(req);
    const last = await lastDecided(req, reviewer, 'decide', claims);
    sendPage(res, 200, queuePage({ reviewTitle: reviewer.reviewTitle, reviewerName: reviewer.name, items, waiting: queue.total, reasons: reasonsOf(reviewer.protocol), nonce, ...(note ? { recorded: note } : {}), ...(last ? { last } : {}) }), { scriptNonce: nonce });
  });
  app.route('POST', '/q/:token', async (req, res) => {
    const page = verify(req.params.token!, 'queue');
    const reviewer = await reviewerOf(page);
    const form = await req.form();
    const claims = buttonClaims(form, 'decide', page);
    const outcome = await decide(form, claims, reviewer, 'web');
    backToPage(res, outcome.result === 'recorded', outcome.decision, outcome.workId);
  });

  // Maintainers: conflicts to resolve and digests whose delivery needs a look.
  app.route('GET', '/c/:token', async (req, res) => {
    const claims = verify(req.params.token!, 'conflicts');
    const maintainer = await reviewerOf(claims, 'maintainer');
    // A page at a time, as the queue: each answer makes room for the next.
    const { records: conflicts, total: conflictCount } = await firstWorks(db, and(liveWorks(maintainer.reviewId), eq(works.status, 'conflict')), QUEUE_PAGE, [asc(works.id)]);
    const matches = await openMatches(maintainer.reviewId, maintainer.id);
    const votes = conflicts.length
      ? await db
          .selectDistinctOn([screeningDecisions.workId, screeningDecisions.reviewerId], {
            workId: screeningDecisions.workId,
            reviewer: reviewers.name,
            decision: screeningDecisions.decision,
            reason: screeningDecisions.reason,
          })
          .from(screeningDecisions)
          .innerJoin(reviewers, eq(reviewers.id, screeningDecisions.reviewerId))
          .where(and(inArray(screeningDecisions.workId, conflicts.map((c) => c.workId)), sql`${screeningDecisions.channel} <> 'maintainer'`))
          .orderBy(screeningDecisions.workId, screeningDecisions.reviewerId, sql`${screeningDecisions.id} desc`)
      : [];
    const problems = (
      await db
        .select({ id: digests.id, recipient: digests.recipient, period: digests.period, status: digests.status, attempts: digests.attempts, lastError: digests.lastError, messageId: digests.messageId })
        .from(digests)
        .where(and(eq(digests.reviewId, maintainer.reviewId), inArray(digests.status, ['ambiguous', 'failed'])))
        .orderBy(asc(digests.id))
    ).map((d) => ({
      ...d,
      ...(d.status === 'ambiguous'
        ? { tokens: tokensFor(DELIVERY_ANSWERS, TTL.delivery, (deliveryAnswer) => ({ purpose: 'delivery', reviewerId: maintainer.id, digestId: d.id, deliveryAnswer })) }
        : {}),
    }));
    const note = recordedNote(req);
    const last = await lastDecided(req, maintainer, 'resolve', claims);
    sendPage(
      res,
      200,
      conflictsPage({
        reviewTitle: maintainer.reviewTitle,
        items: conflicts.map((work) => ({ work, votes: votes.filter((v) => v.workId === work.workId), tokens: buttons('resolve', maintainer.id, work.workId, claims, 0) })),
        conflictCount,
        matches: matches.items,
        matchCount: matches.total,
        flagged: await flaggedWorks(db, maintainer.reviewId),
        problems,
        reasons: reasonsOf(maintainer.protocol),
        ...(note ? { recorded: note } : {}),
        ...(last ? { last } : {}),
      }),
    );
  });
  app.route('POST', '/c/:token', async (req, res) => {
    const page = verify(req.params.token!, 'conflicts');
    const maintainer = await reviewerOf(page, 'maintainer');
    const form = await req.form();
    let outcome: { recorded: boolean; what: string; workId?: number };
    if (form.get('kind') === 'match') {
      const claims = verify(form.get('t') ?? '', 'match');
      if (claims.r !== page.r || claims.m === undefined || claims.d === undefined) throw new HttpError(403, 'This button belongs to another maintainer.');
      let result;
      try {
        // Only a pair of the maintainer's own review: checked before anything is written.
        result = await decideMatch(db, maintainer.reviewId, claims.m, claims.d, maintainer.email);
      } catch (err) {
        if (err instanceof PermanentError) throw new HttpError(409, err.message);
        throw err;
      }
      log.info({ channel: 'maintainer', match: claims.m, token: tokenRef(claims) }, 'match decided');
      outcome = { recorded: result.recorded, what: claims.d === 'same' ? 'same work' : 'different works' };
    } else if (form.get('kind') === 'delivery') {
      const claims = verify(form.get('t') ?? '', 'delivery');
      if (claims.r !== page.r || claims.g === undefined || claims.o === undefined) throw new HttpError(403, 'This button belongs to another maintainer.');
      const result = await answerAmbiguous(db, { digestId: claims.g, reviewId: maintainer.reviewId, answer: claims.o, maintainerEmail: maintainer.email });
      log.info({ channel: 'maintainer', digest: claims.g, answer: claims.o, token: tokenRef(claims) }, 'digest delivery answered');
      outcome = { recorded: result.recorded, what: claims.o === 'arrived' ? `digest ${claims.g} arrived` : `digest ${claims.g} will be sent again` };
    } else {
      const decided = await decide(form, buttonClaims(form, 'resolve', page), maintainer, 'maintainer');
      outcome = { recorded: decided.result === 'recorded', what: decided.decision, workId: decided.workId };
    }
    backToPage(res, outcome.recorded, outcome.what, outcome.workId);
  });

  // RFC 8058: GET shows a page and changes nothing; POST unsubscribes and answers 200, no redirect.
  app.route('GET', '/u/:token', async (req, res) => {
    const reviewer = await reviewerOf(verify(req.params.token!, 'unsubscribe'), 'unsubscribe');
    sendPage(res, 200, unsubscribePage({ reviewTitle: reviewer.reviewTitle, email: reviewer.email, done: reviewer.unsubscribedAt !== null }));
  });
  app.route('POST', '/u/:token', async (req, res) => {
    const claims = verify(req.params.token!, 'unsubscribe');
    const reviewer = await reviewerOf(claims, 'unsubscribe');
    await db.transaction(async (tx) => {
      const [changed] = await tx
        .update(reviewers)
        .set({ unsubscribedAt: sql`now()` })
        .where(and(eq(reviewers.id, reviewer.id), isNull(reviewers.unsubscribedAt)))
        .returning({ id: reviewers.id });
      if (changed) {
        await tx.insert(auditLog).values({ reviewId: reviewer.reviewId, actor: reviewer.email, channel: 'email', action: 'reviewer.unsubscribed', entity: 'reviewer', entityId: String(reviewer.id), details: { token: tokenRef(claims) } });
      }
    });
    sendPage(res, 200, unsubscribePage({ reviewTitle: reviewer.reviewTitle, email: reviewer.email, done: true }));
  });
  return app;
}

/** The app with the triage routes; callers add more routes before or after listening. */
export function createTriageApp(deps: TriageDeps): App {
  return addTriageRoutes(createApp({ log: deps.log, errorPage }), deps);
}

export async function createServer(deps: TriageDeps & { port: number; host?: string }): Promise<{ app: App; server: Server }> {
  const app = createTriageApp(deps);
  return { app, server: await listen(app, deps.port, deps.host) };
}
