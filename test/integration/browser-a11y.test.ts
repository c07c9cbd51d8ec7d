import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../src/config/secret.js';
import type { DbContext } from '../../src/context.js';
import { screeningDecisions, works } from '../../src/db/schema/index.js';
import { DEFAULT_RETRY } from '../../src/digest/outbox.js';
import { mailerFor, runDigestOnce } from '../../src/digest/run.js';
import { audit } from '../helpers/a11y.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { TEAM, openReview, record, reviewEnv, reviewerIds, stage, writeProtocol } from '../helpers/review.js';
import { hrefsOf, mailTo, startSmtp, type FakeSmtp } from '../helpers/smtp.js';
import { freePort, startTriage, type TestServer } from '../helpers/web.js';


describe.skipIf(!hasChromium)('the digest and triage pages with a screen reader or a keyboard', () => {
  let t: TestDatabase;
  let ctx: DbContext;
  let smtp: FakeSmtp;
  let server: TestServer;
  let browser: Browser;
  let workIds: number[];

  beforeAll(async () => {
    t = await createTestDatabase();
    smtp = await startSmtp();
    const port = await freePort();
    const protocol = writeProtocol({ id: 'a11y-rev', reviewersPerRecord: 2, reviewers: TEAM });
    ctx = await openReview(reviewEnv(t.url, protocol, { SMTP_URL: smtp.url, PUBLIC_URL: `http://127.0.0.1:${port}` }));
    server = await startTriage(ctx, port);
    workIds = await stage(ctx, 'a11y-rev', [1, 2, 3, 4].map((n) => record(n, { title: `Peer naloxone study ${n}` })));
    await runDigestOnce({ database: ctx.database, env: ctx.env, secret: TEST_SECRET, mailer: mailerFor(ctx.env), log: ctx.log, retry: DEFAULT_RETRY }, ctx.protocols);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await smtp?.close();
    await ctx?.close();
    await t?.drop();
  });

  const workOf = (link: string) => JSON.parse(Buffer.from(new URL(link).pathname.split('/').at(-1)!.split('.')[0]!, 'base64url').toString()).w as number;
  const decisions = (workId: number) => ctx.database.db.select().from(screeningDecisions).where(eq(screeningDecisions.workId, workId)).orderBy(screeningDecisions.id);
  const titleOf = async (id: number) => (await ctx.database.db.select({ t: works.title }).from(works).where(eq(works.id, id)))[0]!.t;
  const press = (link: string) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });

  it('the digest passes the audit, and its action links say which record they act on', async () => {
    const html = mailTo(smtp, 'ann@example.org').html!;
    const page = await browser.newPage();
    await page.setContent(html);
    expect(await audit(page)).toEqual([]);
    // A screen reader's list of links: "Include" four times tells nothing; each names its record's number.
    const titles = await page.locator('h2').allTextContents();
    expect(titles).toHaveLength(4);
    for (const [i, title] of titles.entries()) {
      expect(title).toMatch(new RegExp(`^${i + 1}\\. Peer naloxone study \\d$`));
      for (const action of ['Include', 'Exclude', 'Maybe']) await expect(page.getByRole('link', { name: `${action} record ${i + 1}`, exact: true }).count()).resolves.toBe(1);
    }
    await page.close();
  });

  it('the confirm, decided, queue and unsubscribe pages pass the audit', async () => {
    const page = await browser.newPage();
    const [include] = hrefsOf(mailTo(smtp, 'ann@example.org').html!, 'Include');
    await page.goto(include!);
    expect(await audit(page)).toEqual([]);
    await page.getByRole('button', { name: 'Include' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Include');
    expect(await audit(page)).toEqual([]);
    await page.goto(hrefsOf(mailTo(smtp, 'ann@example.org').html!, 'Open your screening queue')[0]!);
    expect(await audit(page)).toEqual([]);
    await page.goto(hrefsOf(mailTo(smtp, 'ann@example.org').html!, 'Unsubscribe')[0]!);
    expect(await audit(page)).toEqual([]);
    await page.close();
  });

  it('a shortcut key acts on the record the keyboard is in, not the first one, and never while typing a note', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await page.goto(hrefsOf(mailTo(smtp, 'bob@example.org').html!, 'Open your screening queue')[0]!);
    const cards = page.locator('form.item');
    expect(await cards.count()).toBe(4);
    const second = (await cards.nth(1).locator('.title').textContent())!;
    // Typing a note in the second record's field submits nothing.
    await cards.nth(1).locator('input[name="reason_text"]').focus();
    await page.keyboard.type('mie');
    await expect(cards.nth(1).locator('input[name="reason_text"]').inputValue()).resolves.toBe('mie');
    // Tabbing out of the field onto its record's buttons, then "e", excludes that record.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect(cards.nth(1).locator('button.maybe:focus').count()).resolves.toBe(1);
    await expect(cards.nth(1).getAttribute('class')).resolves.toContain('current');
    await page.keyboard.press('e');
    await page.waitForURL(/recorded=exclude/);
    const { bob } = await reviewerIds(ctx, 'a11y-rev');
    const decided = (await Promise.all(workIds.map(async (id) => ({ title: await titleOf(id), d: (await decisions(id)).filter((d) => d.reviewerId === bob) })))).filter((w) => w.d.length);
    expect(decided.map((w) => [w.title, w.d.map((d) => [d.decision, d.reason])])).toEqual([[second, [['exclude', 'mie']]]]);
    await page.close();
  });

  it('Enter in a note field decides nothing: it would press the first button, Include, whatever the note said', async () => {
    const { bob } = await reviewerIds(ctx, 'a11y-rev');
    const bobs = async () => (await Promise.all(workIds.map(decisions))).flat().filter((d) => d.reviewerId === bob).length;
    const before = await bobs();
    const page = await browser.newPage();
    await page.goto(hrefsOf(mailTo(smtp, 'bob@example.org').html!, 'Open your screening queue')[0]!);
    const queueUrl = page.url();
    await page.locator('form.item').first().locator('input[name="reason_text"]').fill('wrong population');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(page.url()).toBe(queueUrl);
    expect(await bobs()).toBe(before);
    // The decided page a link leads to has several buttons too (Change to ...).
    // On a record nobody decided yet, and not the one the conflicts test makes a conflict of.
    const undecided: number[] = [];
    for (const id of workIds.slice(0, 3)) if ((await decisions(id)).length === 0) undecided.push(id);
    await page.goto(hrefsOf(mailTo(smtp, 'bob@example.org').html!, 'Maybe').find((l) => workOf(l) === undecided[0])!);
    await page.getByRole('button', { name: 'Maybe' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Maybe');
    const decidedUrl = page.url();
    await page.locator('input[name="reason_text"]').fill('not a trial');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(page.url()).toBe(decidedUrl);
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Maybe');
    expect(await bobs()).toBe(before + 1);
    // The buttons still submit the note.
    await page.getByRole('button', { name: 'Change to Exclude' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Exclude');
    expect((await decisions(undecided[0]!)).at(-1)).toMatchObject({ decision: 'exclude', reason: 'not a trial' });
    await page.close();
  });

  it('the conflicts page passes the audit, its sections and records headed in order', async () => {
    // Ann includes and Bob excludes the same record: a conflict for Mia.
    const ann = hrefsOf(mailTo(smtp, 'ann@example.org').html!, 'Include');
    const bob = hrefsOf(mailTo(smtp, 'bob@example.org').html!, 'Exclude');
    const annLink = ann.find((l) => workOf(l) === workIds[3])!;
    expect((await press(annLink)).status).toBe(200);
    expect((await press(bob.find((l) => workOf(l) === workIds[3])!)).status).toBe(200);
    const page = await browser.newPage();
    await page.goto(hrefsOf(mailTo(smtp, 'mia@example.org').html!, 'Conflicts and delivery problems')[0]!);
    expect(await page.locator('form.card').count()).toBe(1);
    expect(await audit(page)).toEqual([]);
    expect(await page.locator('h1, h2, h3').evaluateAll((hs) => hs.map((h) => `${h.tagName} ${h.textContent}`))).toEqual([
      'H1 Conflicts to resolve',
      `H2 ${await titleOf(workIds[3]!)}`,
      'H2 Possible duplicates',
      'H2 Retractions and corrections',
      'H2 Digest delivery problems',
    ]);
    await page.close();
  });
});
