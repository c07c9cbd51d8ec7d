import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { AppEnv } from '../config/env.js';
import type { Protocol } from '../config/protocol.js';
import type { Database } from '../db/client.js';
import { digests } from '../db/schema/index.js';
import { installTag, publicHost, type LinkSigner } from '../links/urls.js';
import type { Logger } from '../log.js';
import { refreshRelevance } from '../ranking/update.js';
import { planDigests, type PlannedDigest } from './build.js';
import { DEFAULT_RETRY, deliverDue, enqueueDigests, recoverInterrupted, type DeliveryReport, type RetryPolicy } from './outbox.js';
import { schedulePeriod } from './period.js';
import { fileMailer, smtpMailer, type Mailer } from './transport.js';

export interface DigestDeps {
  database: Database;
  env: AppEnv;
  secret: string;
  mailer: Mailer;
  log: Logger;
  retry?: RetryPolicy;
  /** How long `--once` waits for retries that fall due; later ones are left to the next run. */
  retryWindowMs?: number;
  now?: () => Date;
  afterAccepted?: (digestId: number) => void | Promise<void>;
}

/** SMTP when SMTP_URL is set, else `.eml` files in $LR_DATA_DIR/outbox. */
export function mailerFor(env: AppEnv): Mailer {
  return env.SMTP_URL ? smtpMailer(env.SMTP_URL) : fileMailer(join(env.dataDir, 'outbox'));
}

export interface ReviewDigestReport {
  review: string;
  period: string;
  planned: PlannedDigest[];
  written: number[];
}

export interface DigestRunReport extends DeliveryReport {
  reviews: ReviewDigestReport[];
  recovered: { id: number; status: string }[];
}

/** Builds the digests that are due now for each protocol's current period (nothing is written). */
export async function planDue(deps: DigestDeps, protocols: Protocol[]): Promise<{ protocol: Protocol; period: Date; planned: PlannedDigest[] }[]> {
  const now = deps.now?.() ?? new Date();
  const links: LinkSigner = { secret: deps.secret, publicUrl: deps.env.PUBLIC_URL, now: () => now };
  const out = [];
  for (const protocol of protocols) {
    const period = schedulePeriod(protocol.schedule.digest, protocol.schedule.timezone, now);
    out.push({ protocol, period, planned: await planDigests(deps.database.db, protocol, period, links) });
  }
  return out;
}

/**
 * `digest --once`: ranks each review's pending candidates, writes this period's digests to the
 * outbox, settles sends a crashed run left behind, then delivers every due digest, waiting for
 * retries that fall due within the window.
 */
export async function runDigestOnce(deps: DigestDeps, protocols: Protocol[]): Promise<DigestRunReport> {
  const db = deps.database.db;
  const retry = deps.retry ?? DEFAULT_RETRY;
  const report: DigestRunReport = { reviews: [], recovered: [], sent: [], retrying: [], failed: [], ambiguous: [], cancelled: [] };
  // Decisions made since the last cycle count: the digest lists what they now rank highest.
  for (const protocol of protocols) await refreshRelevance(db, protocol.id, deps.log);
  for (const { protocol, period, planned } of await planDue(deps, protocols)) {
    const written = await enqueueDigests(db, planned, { host: publicHost(deps.env.PUBLIC_URL), install: installTag(deps.secret, deps.env.PUBLIC_URL) });
    report.reviews.push({ review: protocol.id, period: period.toISOString(), planned, written });
  }
  report.recovered = await recoverInterrupted(db, deps.mailer);
  const reviewIds = protocols.map((p) => p.id);
  const deadline = Date.now() + (deps.retryWindowMs ?? 0);
  for (;;) {
    for (const reviewId of reviewIds) {
      const r = await deliverDue(deps.database, { mailer: deps.mailer, mailFrom: deps.env.MAIL_FROM, retry, reviewId, ...(deps.afterAccepted ? { afterAccepted: deps.afterAccepted } : {}) });
      report.sent.push(...r.sent);
      report.failed.push(...r.failed);
      report.ambiguous.push(...r.ambiguous);
      report.cancelled.push(...r.cancelled);
      report.serverError ??= r.serverError;
      if (report.serverError) break;
    }
    const waiting = await db
      .select({ id: digests.id, at: digests.nextAttemptAt })
      .from(digests)
      .where(and(eq(digests.status, 'pending'), inArray(digests.reviewId, reviewIds)))
      .orderBy(asc(digests.nextAttemptAt));
    report.retrying = waiting.map((w) => w.id);
    const next = waiting[0]?.at;
    // The mail server itself refused: waiting for retries would only ask it again.
    if (report.serverError || !next || new Date(next).getTime() > deadline) break;
    await sleep(Math.max(0, new Date(next).getTime() - Date.now()));
  }
  return report;
}
