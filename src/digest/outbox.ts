import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { type Database, type Db, reserveId, tryXactLock } from '../db/client.js';
import { auditLog, digests, reviewers, type DeliveryAnswer, type DigestStatus } from '../db/schema/index.js';
import { RetryableError, oneLine } from '../errors.js';
import type { PlannedDigest } from './build.js';
import { AmbiguousSendError, type MailSession, type Mailer } from './transport.js';

/**
 * `"Name" <email>`. A quote or backslash in the name would end or escape the quoted string, and
 * the rest would be read as the address (a name ending in `\` sent the digest elsewhere).
 */
export function mailbox(name: string, email: string): string {
  const display = name.replace(/["\\\r\n]/g, '').trim();
  return display ? `"${display}" <${email}>` : email;
}

/**
 * The digest outbox. A digest is written here before anything is sent, then claimed, sent and
 * marked. States: pending → sending → sent; sending → pending (definitely not accepted: retried with
 * backoff), → failed (5xx, or out of attempts), → ambiguous (the server may hold it); pending →
 * cancelled (the recipient unsubscribed or left). Only pending rows are ever claimed, so an
 * ambiguous row is never resent by the machine: only a maintainer's answer moves it (to sent, or
 * back to pending).
 */

/** Advisory-lock namespace of digest sends ("lrdg" in the high 32 bits, the digest id below). */
const LOCK_BASE = 0x6c726467n << 32n;
const sendLock = (id: number) => LOCK_BASE + BigInt(id);

export interface RetryPolicy {
  /** Delay before the second attempt; doubles each attempt. */
  baseMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 60_000, maxDelayMs: 6 * 3_600_000, maxAttempts: 8 };

export function retryDelay(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

export interface OutboxOptions {
  /** Host Message-IDs are minted under (PUBLIC_URL's). */
  host: string;
  /** `installTag()`: keeps two installs' digest ids apart on one host. */
  install: string;
}

/** Fixed when the row is written, so every retry and resend of a digest carries the same one. */
export const digestMessageId = (id: number, reviewId: string, opts: OutboxOptions) => `<digest-${id}.${reviewId}.${opts.install}@${opts.host}>`;

/**
 * Writes planned digests; a digest that already exists for (review, reviewer, period) is left
 * alone, so a rerun or a concurrent run adds nothing. Returns the ids written.
 */
export async function enqueueDigests(db: Db, planned: PlannedDigest[], opts: OutboxOptions): Promise<number[]> {
  const ids: number[] = [];
  for (const p of planned) {
    await db.transaction(async (tx) => {
      // The id is drawn first so the Message-ID, derived from it, is stored with the row.
      const id = await reserveId(tx, 'digests');
      const [row] = await tx
        .insert(digests)
        .values({
          id,
          reviewId: p.reviewId,
          reviewerId: p.reviewer.id,
          period: p.period.toISOString(),
          status: 'pending',
          messageId: digestMessageId(id, p.reviewId, opts),
          recipient: mailbox(p.reviewer.name, p.reviewer.email),
          subject: p.rendered.subject,
          text: p.rendered.text,
          html: p.rendered.html,
          workIds: p.workIds.map(String),
          unsubscribeUrl: p.unsubscribeUrl,
        })
        .onConflictDoNothing({ target: [digests.reviewId, digests.reviewerId, digests.period] })
        .returning({ id: digests.id });
      if (row) ids.push(row.id);
    });
  }
  return ids;
}

async function audit(db: Db, row: { id: number; reviewId: string }, action: string, details: Record<string, unknown>) {
  await db.insert(auditLog).values({ reviewId: row.reviewId, actor: 'system', channel: 'email', action, entity: 'digest', entityId: String(row.id), details });
}

/**
 * Rows left in `sending` by a process that stopped mid-send. A live sender holds the row's advisory
 * lock for the whole send, and Postgres drops a session's locks when its process dies, so a row
 * whose lock can be taken has no sender. Its outcome is settled where the mailer can prove it
 * (file outbox) and otherwise marked `ambiguous` for a maintainer: never resent blindly.
 */
export async function recoverInterrupted(db: Db, mailer: Mailer): Promise<{ id: number; status: DigestStatus }[]> {
  return db.transaction(async (tx) => {
    const stuck = await tx
      .select({ id: digests.id, reviewId: digests.reviewId, attempts: digests.attempts })
      .from(digests)
      .where(eq(digests.status, 'sending'))
      .orderBy(asc(digests.id))
      .for('update', { skipLocked: true });
    const settled: { id: number; status: DigestStatus }[] = [];
    for (const row of stuck) {
      if (!(await tryXactLock(tx, sendLock(row.id)))) continue;
      const verdict = mailer.settle(row.id);
      const status: DigestStatus = verdict === 'delivered' ? 'sent' : verdict === 'not-delivered' ? 'pending' : 'ambiguous';
      const note = 'the sending process stopped during the send';
      await tx
        .update(digests)
        .set({ status, lastError: status === 'ambiguous' ? `${note}; the server may have accepted it` : note, ...(status === 'sent' ? { sentAt: sql`now()` } : {}) })
        .where(eq(digests.id, row.id));
      await audit(tx, row, `digest.${status === 'pending' ? 'requeued' : status}`, { reason: note, attempts: row.attempts });
      settled.push({ id: row.id, status });
    }
    return settled;
  });
}

export interface DeliverOptions {
  mailer: Mailer;
  mailFrom: string;
  retry: RetryPolicy;
  /** Only these digests (e.g. one review's); all due rows otherwise. */
  reviewId?: string;
  /** Test seam: runs after the server accepted a message and before it is marked sent. */
  afterAccepted?: (digestId: number) => void | Promise<void>;
}

export interface DeliveryReport {
  sent: number[];
  retrying: number[];
  failed: number[];
  ambiguous: number[];
  /** Not sent: the recipient unsubscribed or left the review after the digest was written. */
  cancelled: number[];
  /** The mail server could not be reached or refused the login: nothing more was tried. */
  serverError?: string;
}

/** Claims one pending row; null when another process took it first. */
async function claim(db: Db, id: number) {
  const [row] = await db
    .update(digests)
    .set({ status: 'sending', attempts: sql`${digests.attempts} + 1` })
    .where(and(eq(digests.id, id), eq(digests.status, 'pending')))
    .returning();
  return row;
}

async function pendingRow(db: Db, id: number) {
  const [row] = await db
    .select({ digest: digests, email: reviewers.email, active: reviewers.active, unsubscribedAt: reviewers.unsubscribedAt })
    .from(digests)
    .innerJoin(reviewers, eq(reviewers.id, digests.reviewerId))
    .where(and(eq(digests.id, id), eq(digests.status, 'pending')));
  if (!row) return undefined;
  // A retry can fall due long after the digest was written: the recipient's wish then counts.
  const unwanted = row.unsubscribedAt ? `${row.email} unsubscribed` : row.active !== 1 ? `${row.email} no longer screens this review` : undefined;
  return { ...row.digest, unwanted };
}

/** Sends every due pending digest once, one at a time. */
export async function deliverDue(database: Database, opts: DeliverOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], retrying: [], failed: [], ambiguous: [], cancelled: [] };
  const due = await database.db
    .select({ id: digests.id })
    .from(digests)
    .where(and(eq(digests.status, 'pending'), lte(digests.nextAttemptAt, sql`now()`), opts.reviewId ? eq(digests.reviewId, opts.reviewId) : undefined))
    .orderBy(asc(digests.nextAttemptAt), asc(digests.id));
  for (const { id } of due) {
    if (report.serverError) break;
    // The lock is taken before the claim and held until the mark, so a sweeper never mistakes a
    // live send for an interrupted one.
    await database.withAdvisoryLock(sendLock(id), async (db) => {
      const waiting = await pendingRow(db, id);
      if (!waiting) return;
      if (waiting.unwanted) {
        const reason = `not sent: ${waiting.unwanted}`;
        await db.update(digests).set({ status: 'cancelled', lastError: reason }).where(eq(digests.id, id));
        await audit(db, waiting, 'digest.cancelled', { reason });
        report.cancelled.push(id);
        return;
      }
      // Connected before the claim: a crash while the server is slow to greet leaves the row
      // pending (sent next time), not `sending` (ambiguous).
      let session: MailSession;
      try {
        session = await opts.mailer.open();
      } catch (err) {
        // The server or its settings (a wrong password), not this message: the digest waits for
        // a retry like any refused attempt, and the others are not tried against it now.
        report.serverError = oneLine(err);
        await markFailure(db, { ...waiting, attempts: waiting.attempts + 1 }, err instanceof RetryableError ? err : new RetryableError(report.serverError, { cause: err }), opts.retry, report);
        return;
      }
      let row: typeof digests.$inferSelect | undefined;
      let response: string;
      try {
        row = await claim(db, id);
        if (!row) return;
        ({ response } = await session.send({
          digestId: row.id,
          from: opts.mailFrom,
          to: row.recipient,
          subject: row.subject,
          text: row.text,
          html: row.html,
          messageId: row.messageId,
          unsubscribeUrl: row.unsubscribeUrl,
        }));
      } catch (err) {
        if (!row) throw err;
        await markFailure(db, row, err, opts.retry, report);
        return;
      } finally {
        session.close();
      }
      await opts.afterAccepted?.(row.id);
      // 'ambiguous' too: a sweeper in this same session (PGlite) may have flagged it meanwhile,
      // and the server's acceptance settles it.
      await db
        .update(digests)
        .set({ status: 'sent', smtpResponse: response, sentAt: sql`now()`, lastError: null })
        .where(and(eq(digests.id, row.id), inArray(digests.status, ['sending', 'ambiguous'])));
      await audit(db, row, 'digest.sent', { attempts: row.attempts, response });
      report.sent.push(row.id);
    });
  }
  return report;
}

async function markFailure(db: Db, row: typeof digests.$inferSelect, err: unknown, retry: RetryPolicy, report: DeliveryReport) {
  const message = oneLine(err);
  if (err instanceof AmbiguousSendError) {
    await db.update(digests).set({ status: 'ambiguous', lastError: message }).where(eq(digests.id, row.id));
    await audit(db, row, 'digest.ambiguous', { attempts: row.attempts, error: message });
    report.ambiguous.push(row.id);
    return;
  }
  const retryable = err instanceof RetryableError && row.attempts < retry.maxAttempts;
  if (retryable) {
    const delay = retryDelay(retry, row.attempts);
    await db
      .update(digests)
      .set({ status: 'pending', attempts: row.attempts, lastError: message, nextAttemptAt: sql`now() + ${`${delay} milliseconds`}::interval` })
      .where(eq(digests.id, row.id));
    await audit(db, row, 'digest.retry', { attempts: row.attempts, error: message, delayMs: delay });
    report.retrying.push(row.id);
    return;
  }
  await db.update(digests).set({ status: 'failed', attempts: row.attempts, lastError: message }).where(eq(digests.id, row.id));
  await audit(db, row, 'digest.failed', { attempts: row.attempts, error: message });
  report.failed.push(row.id);
}

/**
 * A maintainer's answer about an ambiguous digest, once they have asked the reviewer or read the
 * mail server's log: 'arrived' marks it sent; 'resend' puts it back in the outbox to go out with
 * the next delivery (same Message-ID, so a copy that did arrive is recognisable). Only an
 * ambiguous digest takes an answer; any other gives `recorded: false` and changes nothing.
 */
export async function answerAmbiguous(
  db: Db,
  input: { digestId: number; reviewId: string; answer: DeliveryAnswer; maintainerEmail: string },
): Promise<{ recorded: boolean }> {
  return db.transaction(async (tx) => {
    const [changed] = await tx
      .update(digests)
      .set(
        input.answer === 'arrived'
          ? { status: 'sent', sentAt: sql`now()`, smtpResponse: `confirmed delivered by ${input.maintainerEmail}` }
          : { status: 'pending', nextAttemptAt: sql`now()` },
      )
      .where(and(eq(digests.id, input.digestId), eq(digests.reviewId, input.reviewId), eq(digests.status, 'ambiguous')))
      .returning({ id: digests.id, reviewId: digests.reviewId });
    if (!changed) return { recorded: false };
    await tx.insert(auditLog).values({
      reviewId: changed.reviewId,
      actor: input.maintainerEmail,
      channel: 'maintainer',
      action: input.answer === 'arrived' ? 'digest.confirmed' : 'digest.resend',
      entity: 'digest',
      entityId: String(changed.id),
      details: {},
    });
    return { recorded: true };
  });
}
