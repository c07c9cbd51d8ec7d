import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../src/config/secret.js';
import type { DbContext } from '../../src/context.js';
import { auditLog, digests, reviewers as reviewerTable, searchRuns, works } from '../../src/db/schema/index.js';
import { DEFAULT_RETRY } from '../../src/digest/outbox.js';
import { mailerFor, planDue, runDigestOnce, type DigestDeps } from '../../src/digest/run.js';
import { verifyToken } from '../../src/links/tokens.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol, type ReviewSetup } from '../helpers/review.js';
import { freePort } from '../helpers/services.js';
import { startSmtp, type FakeSmtp } from '../helpers/smtp.js';

const FAST_RETRY = { ...DEFAULT_RETRY, baseMs: 20, maxAttempts: 5 };

let t: TestDatabase;
let smtp: FakeSmtp;
const contexts: DbContext[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  smtp = await startSmtp();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await smtp.close();
  await t.drop();
});

async function setup(s: ReviewSetup, extraEnv: Record<string, string | undefined> = {}) {
  const ctx = await openReview(reviewEnv(t.url, writeProtocol(s), { SMTP_URL: smtp.url, ...extraEnv }));
  contexts.push(ctx);
  const deps = (over: Partial<DigestDeps> = {}): DigestDeps => ({
    database: ctx.database,
    env: ctx.env,
    secret: TEST_SECRET,
    mailer: mailerFor(ctx.env),
    log: ctx.log,
    retry: FAST_RETRY,
    retryWindowMs: 5_000,
    ...over,
  });
  const run = (over: Partial<DigestDeps> = {}) => runDigestOnce(deps(over), ctx.protocols);
  const rows = () => ctx.database.db.select().from(digests).where(eq(digests.reviewId, s.id)).orderBy(digests.id);
  return { ctx, deps, run, rows };
}

const forReview = (id: string) => smtp.received.filter((m) => m.mail.subject?.includes(`Review ${id}:`));
const header = (m: { mail: { headers: { key: string; value: string }[] } }, key: string) => m.mail.headers.find((h) => h.key === key)?.value;

describe('digest --once over SMTP', () => {
  const reviewers = [
    { name: 'Ann Reviewer', email: 'ann@example.org' },
    { name: 'Bob Reviewer', email: 'bob@example.org' },
    { name: 'Mia Maintainer', email: 'mia@example.org', role: 'maintainer' as const },
  ];

  it('delivers one email per reviewer listing every staged work, with valid links and unsubscribe headers', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-main', reviewers });
    const titles = ['First <script>alert(1)</script> trial', 'Second study', 'Third study', 'Fourth study'];
    const workIds = await stage(ctx, 'dg-main', titles.map((title, i) => record(100 + i, { title })));
    expect(workIds).toHaveLength(4);
    await ctx.database.db.update(works).set({ attention: 'retraction-of work 999' }).where(eq(works.id, workIds[1]!));

    const report = await run();
    expect(report.sent).toHaveLength(3);
    const mails = forReview('dg-main');
    expect(mails.map((m) => m.envelopeTo[0]).sort()).toEqual(['ann@example.org', 'bob@example.org', 'mia@example.org']);
    const saved = await rows();
    for (const m of mails) {
      const mail = m.mail;
      expect(mail.subject).toBe('4 new records to screen: Review dg-main: peer support & <overdose>');
      expect(mail.from?.address).toBe('digest@lr.example.org');
      const row = saved.find((r) => r.recipient.includes(m.envelopeTo[0]!))!;
      expect(row.status).toBe('sent');
      expect(row.smtpResponse).toMatch(/^250 .*queued as/);
      // Unique per install as well as per digest: the id alone repeats in every fresh install.
      expect(mail.messageId).toMatch(new RegExp(`^<digest-${row.id}\\.dg-main\\.[0-9a-f]{12}@lr\\.example\\.org>$`));
      expect(row.messageId).toBe(mail.messageId);
      // Both parts, every record, escaped in HTML and plain in text.
      expect(mail.text).toBeTruthy();
      expect(mail.html).toBeTruthy();
      for (const title of titles) expect(mail.text).toContain(title);
      expect(mail.html).toContain('First &lt;script&gt;alert(1)&lt;/script&gt; trial');
      expect(mail.html).not.toContain('<script');
      expect(mail.text).toContain('Smith A, Jones B, Lee C et al.');
      expect(mail.text).toContain('https://pubmed.ncbi.nlm.nih.gov/40000100/');
      expect(mail.text).toContain('https://doi.org/10.1000/lr.100');
      // Every action link is signed for this reviewer, one work and one action.
      const links = [...mail.text!.matchAll(/https:\/\/lr\.example\.org\/a\/([A-Za-z0-9_.-]+)/g)].map((x) => x[1]!);
      expect(links).toHaveLength(12);
      const claims = links.map((tok) => verifyToken(TEST_SECRET, tok, 'decide'));
      expect(new Set(claims.map((c) => c.r))).toEqual(new Set([row.reviewerId]));
      expect(new Set(claims.map((c) => `${c.w}:${c.a}`)).size).toBe(12);
      expect(new Set(claims.map((c) => c.w))).toEqual(new Set(workIds));
      for (const tok of links) expect(mail.html).toContain(`https://lr.example.org/a/${tok}`);
      // RFC 8058 one-click unsubscribe.
      const unsub = header(m, 'list-unsubscribe')!;
      expect(unsub).toMatch(/^<https:\/\/lr\.example\.org\/u\/[A-Za-z0-9_.-]+>$/);
      expect(verifyToken(TEST_SECRET, unsub.slice(unsub.indexOf('/u/') + 3, -1), 'unsubscribe').r).toBe(row.reviewerId);
      expect(header(m, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
      expect(mail.text).toContain(unsub.slice(1, -1));
    }
    // Only the maintainer gets the conflicts page, and the list of works a notice has reached.
    expect(mails.filter((m) => m.mail.text!.includes('https://lr.example.org/c/')).map((m) => m.envelopeTo[0])).toEqual(['mia@example.org']);
    expect(mails.filter((m) => m.mail.text!.includes(`- work ${workIds[1]} (pending) Second study: retraction-of work 999`)).map((m) => m.envelopeTo[0])).toEqual(['mia@example.org']);

    // A rerun in the same period finds the outbox rows and sends nothing new.
    const before = smtp.received.length;
    const again = await run();
    expect(again.sent).toEqual([]);
    expect(again.reviews[0]!.written).toEqual([]);
    expect(smtp.received.length).toBe(before);
    expect(await rows()).toHaveLength(3);
  });

  it('delivers exactly once after the server refuses the first two attempts with 451', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-retry', reviewers: [reviewers[0]!] });
    await stage(ctx, 'dg-retry', [record(200), record(201)]);
    smtp.refuseMailFrom(2);
    const attemptsBefore = smtp.attempts;
    const report = await run();
    expect(smtp.attempts - attemptsBefore).toBe(3);
    expect(forReview('dg-retry')).toHaveLength(1);
    expect(report.sent).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    const audit = await ctx.database.db.select().from(auditLog).where(and(eq(auditLog.entity, 'digest'), eq(auditLog.entityId, String(row!.id))));
    expect(audit.map((a) => a.action)).toEqual(['digest.retry', 'digest.retry', 'digest.sent']);
  });

  it('retries a 451 at RCPT, and waits for retries only within the window', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-rcpt', reviewers: [reviewers[0]!] });
    await stage(ctx, 'dg-rcpt', [record(250)]);
    smtp.refuseRcpt(1, 451);
    const first = await run({ retry: { ...FAST_RETRY, baseMs: 60_000 }, retryWindowMs: 0 });
    expect(first.retrying).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(forReview('dg-rcpt')).toHaveLength(0);
    await ctx.database.db.update(digests).set({ nextAttemptAt: new Date() }).where(eq(digests.reviewId, 'dg-rcpt'));
    await run();
    expect(forReview('dg-rcpt')).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('marks a 5xx refusal failed without retrying, and offers its works again next period', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-5xx', reviewers: [reviewers[0]!] });
    await stage(ctx, 'dg-5xx', [record(300)]);
    smtp.refuseRcpt(1, 550);
    const report = await run();
    expect(report.failed).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await rows())[0]!.lastError).toMatch(/550/);
    expect(forReview('dg-5xx')).toHaveLength(0);
    // Next week's digest lists the work the failed one could not deliver.
    const nextWeek = new Date(Date.now() + 7 * 86_400_000);
    const [planned] = await planDue({ database: ctx.database, env: ctx.env, secret: TEST_SECRET, mailer: mailerFor(ctx.env), log: ctx.log, now: () => nextWeek }, ctx.protocols);
    expect(planned!.planned.map((p) => p.workIds)).toHaveLength(1);
    expect(planned!.planned[0]!.workIds).toHaveLength(1);
  });

  it('never sends twice after a crash between the 250 and the mark: the row ends ambiguous', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-crash', reviewers: [reviewers[0]!] });
    await stage(ctx, 'dg-crash', [record(400)]);
    await expect(
      run({
        afterAccepted: () => {
          throw new Error('simulated crash after the server accepted the message');
        },
      }),
    ).rejects.toThrow(/simulated crash/);
    expect(forReview('dg-crash')).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'sending', attempts: 1 });

    const report = await run();
    expect(report.recovered).toEqual([{ id: (await rows())[0]!.id, status: 'ambiguous' }]);
    expect(report.sent).toEqual([]);
    expect(forReview('dg-crash')).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({ status: 'ambiguous', attempts: 1 });
    expect(row!.lastError).toMatch(/may have accepted/);
    await run();
    expect(forReview('dg-crash')).toHaveLength(1);
  });

  it('flags a connection dropped after DATA as ambiguous and does not resend', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-drop', reviewers: [reviewers[0]!] });
    await stage(ctx, 'dg-drop', [record(500)]);
    smtp.dropAfterData(1);
    const report = await run();
    expect(report.ambiguous).toHaveLength(1);
    expect(forReview('dg-drop')).toHaveLength(1);
    expect((await rows())[0]).toMatchObject({ status: 'ambiguous', attempts: 1 });
    await run();
    expect(forReview('dg-drop')).toHaveLength(1);
  });

  it('two runs at once write one outbox row and send one message', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-race', reviewers: [reviewers[0]!] });
    await stage(ctx, 'dg-race', [record(550)]);
    const results = await Promise.all([run(), run()]);
    expect(results.flatMap((r) => r.sent)).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
    expect(forReview('dg-race')).toHaveLength(1);
  });

  it('sends nothing for a review with nothing new, unless nothing_new_notes is set', async () => {
    const quiet = await setup({ id: 'dg-quiet', reviewers: [reviewers[0]!] });
    expect((await quiet.run()).sent).toEqual([]);
    expect(await quiet.rows()).toEqual([]);
    const noted = await setup({ id: 'dg-noted', reviewers: [reviewers[0]!], nothingNewNotes: true });
    expect((await noted.run()).sent).toHaveLength(1);
    const [mail] = forReview('dg-noted');
    expect(mail!.mail.subject).toBe('Nothing new to screen: Review dg-noted: peer support & <overdose>');
    expect(mail!.mail.text).toContain('No new records need your decision this period.');
  });

  it('counts the new records of the runs since the last digest, as many as it lists', async () => {
    const { ctx, run } = await setup({ id: 'dg-count', reviewers: [reviewers[0]!] });
    const finished = (newWorks: number) =>
      ctx.database.db.insert(searchRuns).values({ reviewId: 'dg-count', cycleId: `c${newWorks}`, source: 'scopus', trigger: 'import', query: 'q', windowFrom: '2026-01-01', windowTo: '2026-01-01', status: 'ok', newWorks, finishedAt: sql`now()` });
    await stage(ctx, 'dg-count', [record(1000), record(1001)]);
    await finished(2);
    await run();
    await stage(ctx, 'dg-count', [record(1002), record(1003), record(1004)]);
    await finished(3);
    // Next week's digest: the first run finished after last week's tick, but its works came last week.
    await run({ now: () => new Date(Date.now() + 7 * 86_400_000) });
    const [first, second] = forReview('dg-count').map((m) => m.mail);
    expect(first!.subject).toMatch(/^2 new records/);
    expect(first!.text).toContain('New records this period: scopus 2.');
    expect(second!.subject).toMatch(/^3 new records/);
    expect(second!.text).toContain('New records this period: scopus 3.');
  });

  it('sends the digest of a tick the spring-forward gap moved, and one digest for an hour the clocks repeat', async () => {
    // Sundays 01:30 London: on 29 March 2026 01:30 does not exist and the scheduler fires at 02:30 BST.
    const spring = await setup({ id: 'dg-spring', reviewers: [reviewers[0]!], digestSchedule: { cron: '30 1 * * 0', timezone: 'Europe/London' } });
    await stage(spring.ctx, 'dg-spring', [record(1100)]);
    await spring.run({ now: () => new Date('2026-03-22T01:30:00Z') });
    await stage(spring.ctx, 'dg-spring', [record(1101)]);
    await spring.run({ now: () => new Date('2026-03-29T01:30:00Z') });
    expect((await spring.rows()).map((r) => [r.period, r.status])).toEqual([
      ['2026-03-22T01:30:00.000Z', 'sent'],
      ['2026-03-29T01:30:00.000Z', 'sent'],
    ]);
    expect(forReview('dg-spring')).toHaveLength(2);

    // Daily 01:30 London: on 25 October 2026 it comes at 00:30Z (BST) and again at 01:30Z (GMT).
    const autumn = await setup({ id: 'dg-autumn', reviewers: [reviewers[0]!], digestSchedule: { cron: '30 1 * * *', timezone: 'Europe/London' } });
    await stage(autumn.ctx, 'dg-autumn', [record(1200)]);
    await autumn.run({ now: () => new Date('2026-10-25T00:30:00Z') });
    await stage(autumn.ctx, 'dg-autumn', [record(1201)]);
    await autumn.run({ now: () => new Date('2026-10-25T01:45:00Z') });
    expect((await autumn.rows()).map((r) => r.period)).toEqual(['2026-10-25T00:30:00.000Z']);
    // The record staged in between comes the next day.
    await autumn.run({ now: () => new Date('2026-10-26T01:30:00Z') });
    expect((await autumn.rows()).map((r) => r.period)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    expect(forReview('dg-autumn')).toHaveLength(2);
  });

  it('tells maintainers of new conflicts and flagged studies with nothing new to screen, once each', async () => {
    const { ctx, run } = await setup({ id: 'dg-flag', reviewers: [reviewers[0]!, reviewers[2]!] });
    const [a, b] = await stage(ctx, 'dg-flag', [record(1100), record(1101)]);
    await run();
    expect(forReview('dg-flag')).toHaveLength(2);
    const week = (n: number) => () => new Date(Date.now() + n * 7 * 86_400_000);
    const sentTo = () => forReview('dg-flag').slice(2).map((m) => [m.envelopeTo[0], m.mail.subject]);

    await ctx.database.db.update(works).set({ status: 'included', attention: 'retraction-of work 999', updatedAt: sql`now()` }).where(eq(works.id, a!));
    await run({ now: week(1) });
    expect(sentTo()).toEqual([['mia@example.org', '1 flagged study to check: Review dg-flag: peer support & <overdose>']]);
    expect(forReview('dg-flag')[2]!.mail.text).toContain(`- work ${a} (included) Peer-delivered naloxone study 1100: retraction-of work 999`);
    // Still flagged, already told: no digest.
    await run({ now: week(2) });
    expect(sentTo()).toHaveLength(1);

    await ctx.database.db.update(works).set({ status: 'conflict', updatedAt: sql`now()` }).where(eq(works.id, b!));
    await run({ now: week(3) });
    expect(sentTo()).toEqual([
      ['mia@example.org', '1 flagged study to check: Review dg-flag: peer support & <overdose>'],
      ['mia@example.org', '1 conflict and 1 flagged study to check: Review dg-flag: peer support & <overdose>'],
    ]);
  });

  it('sends a reviewer with records waiting and nothing new those records again, with fresh links, before the old ones expire', async () => {
    const { ctx, run } = await setup({ id: 'dg-wait', reviewers: [reviewers[0]!] });
    const workIds = await stage(ctx, 'dg-wait', [record(1200), record(1201)]);
    await run();
    const at = (weeks: number) => new Date(Date.now() + weeks * 7 * 86_400_000);
    for (const weeks of [1, 2]) await run({ now: () => at(weeks) });
    expect(forReview('dg-wait')).toHaveLength(1);

    // Three weeks on: the next weekly digest would find the first one's 30-day links in their last week.
    const now = at(3);
    await run({ now: () => now });
    const mails = forReview('dg-wait');
    expect(mails).toHaveLength(2);
    const mail = mails[1]!.mail;
    expect(mail.subject).toBe('2 records still waiting for you: Review dg-wait: peer support & <overdose>');
    expect(mail.text).toContain('these records are still waiting for you');
    expect(mail.text).not.toContain('No new records need your decision');
    const tokens = (kind: string) => [...mail.text!.matchAll(new RegExp(`https://lr\\.example\\.org/${kind}/([A-Za-z0-9_.-]+)`, 'g'))].map((x) => x[1]!);
    const decide = tokens('a').map((tok) => verifyToken(TEST_SECRET, tok, 'decide', now));
    expect(new Set(decide.map((c) => c.w))).toEqual(new Set(workIds));
    const fresh = now.getTime() / 1000 + 29 * 86_400;
    for (const c of [...decide, ...tokens('q').map((tok) => verifyToken(TEST_SECRET, tok, 'queue', now))]) expect(c.e).toBeGreaterThan(fresh);

    // The reminder is the last digest now: the next comes when its links near their end.
    await run({ now: () => at(4) });
    expect(forReview('dg-wait')).toHaveLength(2);
  });

  it("gives a monthly digest's links a week beyond the next digest, and reminds at each digest when nothing new came", async () => {
    const { ctx, run } = await setup({ id: 'dg-month', reviewers: [reviewers[0]!], digestSchedule: { cron: '0 8 1 * *', timezone: 'Europe/London' } });
    await stage(ctx, 'dg-month', [record(1300)]);
    // 1 January to 1 February: 31 days, longer than the 30 days links last by default.
    const jan = new Date('2027-01-01T09:00:00Z');
    await run({ now: () => jan });
    const [first] = forReview('dg-month');
    const feb = new Date('2027-02-01T09:00:00Z');
    // Every decision and queue link of January's digest still opens on 1 February, for a week more.
    const links = [...first!.mail.text!.matchAll(/https:\/\/lr\.example\.org\/(a|q)\/([A-Za-z0-9_.-]+)/g)];
    const inFeb = links.map(([, kind, tok]) => verifyToken(TEST_SECRET, tok!, kind === 'a' ? 'decide' : 'queue', feb));
    expect(links.map((l) => l[1]).sort()).toEqual(['a', 'a', 'a', 'q']);
    for (const c of inFeb) expect(c.e * 1000).toBeGreaterThanOrEqual(feb.getTime() + 6 * 86_400_000);
    await run({ now: () => feb });
    const mails = forReview('dg-month');
    expect(mails).toHaveLength(2);
    expect(mails[1]!.mail.subject).toBe('1 record still waiting for you: Review dg-month: peer support & <overdose>');
  });

  it('skips a reviewer who unsubscribed', async () => {
    const { ctx, run } = await setup({ id: 'dg-skip', reviewers: [reviewers[0]!, reviewers[1]!] });
    await stage(ctx, 'dg-skip', [record(600)]);
    await ctx.database.db.update(reviewerTable).set({ unsubscribedAt: new Date() }).where(and(eq(reviewerTable.reviewId, 'dg-skip'), eq(reviewerTable.email, 'bob@example.org')));
    await run();
    expect(forReview('dg-skip').map((m) => m.envelopeTo[0])).toEqual(['ann@example.org']);
  });

  it('cancels a digest still waiting to be sent when its reviewer unsubscribes or leaves the review', async () => {
    const { ctx, run, rows, deps } = await setup({ id: 'dg-gone', reviewers: [reviewers[0]!, reviewers[1]!] });
    await stage(ctx, 'dg-gone', [record(650)]);
    // Both digests are written; the server refuses both for now, so both wait for a retry.
    smtp.refuseMailFrom(2);
    expect((await run({ retryWindowMs: 0 })).retrying).toHaveLength(2);
    const [ann, bob] = await ctx.database.db.select().from(reviewerTable).where(eq(reviewerTable.reviewId, 'dg-gone')).orderBy(reviewerTable.email);
    await ctx.database.db.update(reviewerTable).set({ unsubscribedAt: new Date() }).where(eq(reviewerTable.id, ann!.id));
    await ctx.database.db.update(reviewerTable).set({ active: 0 }).where(eq(reviewerTable.id, bob!.id));
    await ctx.database.db.update(digests).set({ nextAttemptAt: new Date() }).where(eq(digests.reviewId, 'dg-gone'));
    const report = await run();
    expect(report.sent).toEqual([]);
    expect(report.cancelled).toHaveLength(2);
    expect(forReview('dg-gone')).toHaveLength(0);
    expect((await rows()).map((r) => [r.status, r.lastError])).toEqual([
      ['cancelled', 'not sent: ann@example.org unsubscribed'],
      ['cancelled', 'not sent: bob@example.org no longer screens this review'],
    ]);
    // Bob back in the protocol: his next digest lists what the cancelled one never brought him.
    await ctx.database.db.update(reviewerTable).set({ active: 1 }).where(eq(reviewerTable.id, bob!.id));
    const nextWeek = new Date(Date.now() + 7 * 86_400_000);
    const [due] = await planDue({ ...deps(), now: () => nextWeek }, ctx.protocols);
    expect(due!.planned.map((p) => [p.reviewer.email, p.workIds.length])).toEqual([['bob@example.org', 1]]);
  });
});

describe('digest --once over SMTP with a login', () => {
  const ann = { name: 'Ann Reviewer', email: 'ann@example.org' };
  it("logs in with SMTP_URL's user and password; refused credentials keep the digests waiting and stop the delivery", async () => {
    const secured = await startSmtp({ auth: { user: 'living', pass: 'p@ss word' } });
    try {
      const url = new URL(secured.url);
      url.username = 'living';
      url.password = encodeURIComponent('p@ss word');
      const good = await setup({ id: 'dg-auth', reviewers: [ann] }, { SMTP_URL: url.toString() });
      await stage(good.ctx, 'dg-auth', [record(680)]);
      expect((await good.run()).sent).toHaveLength(1);
      expect(secured.received).toHaveLength(1);

      url.password = 'wrong';
      const bad = await setup({ id: 'dg-auth-bad', reviewers: [ann, { name: 'Bob', email: 'bob@example.org' }] }, { SMTP_URL: url.toString() });
      await stage(bad.ctx, 'dg-auth-bad', [record(681)]);
      const report = await bad.run({ retryWindowMs: 0 });
      // The login is the server's answer to our settings, not to a message: one digest used an
      // attempt, the other was not tried, both wait; the run says why.
      expect(report.serverError).toMatch(/535/);
      expect(report.failed).toEqual([]);
      expect(report.retrying).toHaveLength(2);
      expect((await bad.rows()).map((r) => [r.status, r.attempts])).toEqual([['pending', 1], ['pending', 0]]);
      expect(secured.received).toHaveLength(1);
    } finally {
      await secured.close();
    }
  });
});

describe('digest --once when the SMTP server cannot be reached', () => {
  it('names the cause and keeps the digest waiting, instead of waiting for ever', async () => {
    const port = await freePort(); // nothing listens there
    const { ctx, run, rows } = await setup({ id: 'dg-down', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }, { SMTP_URL: `smtp://127.0.0.1:${port}` });
    await stage(ctx, 'dg-down', [record(690)]);
    const report = await run({ retryWindowMs: 0 });
    expect(report.serverError).toMatch(/ECONNREFUSED/);
    expect(report.sent).toEqual([]);
    expect((await rows()).map((r) => r.status)).toEqual(['pending']);
  }, 20_000);
});

describe('digest --once without SMTP_URL', () => {
  it('writes each email as an .eml file named by the digest id, then marks it sent', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-eml', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }, { SMTP_URL: '' });
    await stage(ctx, 'dg-eml', [record(700), record(701)]);
    const report = await run();
    const [row] = await rows();
    expect(report.sent).toEqual([row!.id]);
    const dir = join(ctx.env.dataDir, 'outbox');
    expect(readdirSync(dir)).toEqual([`digest-${row!.id}.eml`]);
    const mail = await PostalMime.parse(readFileSync(join(dir, `digest-${row!.id}.eml`)));
    expect(mail.subject).toBe('2 new records to screen: Review dg-eml: peer support & <overdose>');
    expect(mail.messageId).toBe(row!.messageId);
    expect(mail.text).toContain('Peer-delivered naloxone study 700');
    expect(mail.html).toContain('Peer-delivered naloxone study 701');
    expect(row).toMatchObject({ status: 'sent' });
  });

  it('settles a crash after the file was written as sent, without writing it again', async () => {
    const { ctx, run, rows } = await setup({ id: 'dg-eml-crash', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }, { SMTP_URL: '' });
    await stage(ctx, 'dg-eml-crash', [record(800)]);
    await expect(run({ afterAccepted: () => Promise.reject(new Error('crash')) })).rejects.toThrow('crash');
    const [row] = await rows();
    const file = join(ctx.env.dataDir, 'outbox', `digest-${row!.id}.eml`);
    const written = statSync(file).mtimeMs;
    const report = await run();
    expect(report.recovered).toEqual([{ id: row!.id, status: 'sent' }]);
    expect(report.sent).toEqual([]);
    expect(statSync(file).mtimeMs).toBe(written);
    expect((await rows())[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('dry run plans digests and writes nothing', async () => {
    const { ctx, deps, rows } = await setup({ id: 'dg-dry', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }, { SMTP_URL: '' });
    await stage(ctx, 'dg-dry', [record(900)]);
    const [plan] = await planDue(deps(), ctx.protocols);
    expect(plan!.planned).toHaveLength(1);
    expect(plan!.planned[0]!.rendered.text).toContain('Peer-delivered naloxone study 900');
    expect(await rows()).toEqual([]);
    expect(existsSync(join(ctx.env.dataDir, 'outbox'))).toBe(false);
  });
});
