import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../src/config/secret.js';
import type { DbContext } from '../../src/context.js';
import { screeningDecisions, works } from '../../src/db/schema/index.js';
import { DEFAULT_RETRY } from '../../src/digest/outbox.js';
import { mailerFor, runDigestOnce } from '../../src/digest/run.js';
import { packageRoot } from '../../src/paths.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol } from '../helpers/review.js';
import { hrefsOf, mailTo, startSmtp, type FakeSmtp } from '../helpers/smtp.js';
import { freePort, startTriage, type TestServer } from '../helpers/web.js';


const artifacts = join(packageRoot, 'test-artifacts');

describe.skipIf(!hasChromium)('screening from a received digest in a real browser', () => {
  let t: TestDatabase;
  let ctx: DbContext;
  let smtp: FakeSmtp;
  let server: TestServer;
  let browser: Browser;
  let workIds: number[];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    t = await createTestDatabase();
    smtp = await startSmtp();
    const port = await freePort();
    const protocol = writeProtocol({
      id: 'web-rev',
      reviewersPerRecord: 2,
      reviewers: [
        { name: 'Ann Reviewer', email: 'ann@example.org' },
        { name: 'Bob Reviewer', email: 'bob@example.org' },
      ],
    });
    ctx = await openReview(reviewEnv(t.url, protocol, { SMTP_URL: smtp.url, PUBLIC_URL: `http://127.0.0.1:${port}` }));
    server = await startTriage(ctx, port);
    workIds = await stage(ctx, 'web-rev', [
      record(1, { title: 'Peer-delivered naloxone distribution and overdose deaths: a cluster trial' }),
      record(2, { title: 'Overdose response by people who use drugs <b>in</b> shelters', abstract: undefined }),
      record(3, { title: 'Peer navigators after emergency department visits for opioid overdose', authors: [{ family: 'Solo', initials: 'Q' }] }),
    ]);
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

  const linkIn = (html: string, label: string, nth = 0) => hrefsOf(html, label)[nth]!;
  const decisions = (workId: number) => ctx.database.db.select().from(screeningDecisions).where(eq(screeningDecisions.workId, workId)).orderBy(screeningDecisions.id);
  const statusOf = async (id: number) => (await ctx.database.db.select({ s: works.status }).from(works).where(eq(works.id, id)))[0]!.s;

  it('renders the digest', async () => {
    const html = mailTo(smtp, 'ann@example.org').html!;
    const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
    await page.setContent(html);
    expect(await page.locator('a', { hasText: 'Include' }).count()).toBe(3);
    expect(await page.locator('script').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'digest.png'), fullPage: true });
    await page.close();
  });

  it('an Include link shows the record, changes nothing until pressed, then records the decision', async () => {
    const html = mailTo(smtp, 'ann@example.org').html!;
    const include = linkIn(html, 'Include');
    const page = await browser.newPage();
    const response = await page.goto(include);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');
    await expect(page.locator('h1').textContent()).resolves.toBe('Confirm: Include');
    // A scanner that runs scripts and waits still changes nothing.
    await page.waitForTimeout(500);
    const shown = await page.locator('.title').textContent();
    expect(await Promise.all(workIds.map(decisions))).toEqual([[], [], []]);
    await page.getByRole('button', { name: 'Include' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Include');
    const recorded = (await Promise.all(workIds.map(decisions))).flat();
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ decision: 'include', channel: 'email' });
    const [work] = await ctx.database.db.select().from(works).where(eq(works.id, recorded[0]!.workId));
    expect(work!.title).toBe(shown);
    await page.close();
  });

  it('a tampered link shows an error page and changes nothing', async () => {
    const exclude = linkIn(mailTo(smtp, 'ann@example.org').html!, 'Exclude', 1);
    const i = exclude.length - 5;
    const tampered = exclude.slice(0, i) + (exclude[i] === 'x' ? 'y' : 'x') + exclude.slice(i + 1);
    const page = await browser.newPage();
    const response = await page.goto(tampered);
    expect(response!.status()).toBe(403);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link cannot be used');
    expect(await page.getByRole('button').count()).toBe(0);
    expect((await Promise.all(workIds.map(decisions))).flat()).toHaveLength(1);
    await page.close();
  });

  it('two reviewers disagreeing produce a conflict', async () => {
    const annDecision = (await Promise.all(workIds.map(decisions))).flat()[0]!;
    const bobHtml = mailTo(smtp, 'bob@example.org').html!;
    const index = [...bobHtml.matchAll(/\/a\/([A-Za-z0-9_.-]+)"[^>]*>Exclude</g)].findIndex((m) => {
      const claims = JSON.parse(Buffer.from(m[1]!.split('.')[0]!, 'base64url').toString());
      return claims.w === annDecision.workId;
    });
    const page = await browser.newPage();
    await page.goto(linkIn(bobHtml, 'Exclude', index));
    await page.locator('select[name="reason_code"]').selectOption('not peer-involved');
    await page.locator('input[name="reason_text"]').fill('nurses only');
    await page.getByRole('button', { name: 'Exclude' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Exclude');
    expect(await statusOf(annDecision.workId)).toBe('conflict');
    expect((await decisions(annDecision.workId)).at(-1)).toMatchObject({ decision: 'exclude', reason: 'not peer-involved: nurses only' });
    await page.close();
  });

  it('the queue page takes keyboard shortcuts', async () => {
    const queue = linkIn(mailTo(smtp, 'bob@example.org').html!, 'Open your screening queue');
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await page.goto(queue);
    const cards = page.locator('form.item');
    expect(await cards.count()).toBe(2);
    const first = (await cards.first().locator('.title').textContent())!;
    await page.screenshot({ path: join(artifacts, 'queue.png'), fullPage: true });
    await page.keyboard.press('m');
    await page.waitForURL(/recorded=maybe/);
    expect(await page.locator('form.item').count()).toBe(1);
    const [work] = await ctx.database.db.select().from(works).where(eq(works.title, first));
    expect((await decisions(work!.id)).map((d) => [d.decision, d.channel])).toEqual([['maybe', 'web']]);
    // A mis-pressed key is undone on the same page: the record just decided is shown with the other choices.
    await page.getByRole('button', { name: 'Change to Include' }).click();
    await page.waitForURL(/recorded=include/);
    expect((await decisions(work!.id)).map((d) => [d.decision, d.channel])).toEqual([['maybe', 'web'], ['include', 'web']]);
    await page.close();
  });

  it('a reviewer goes back on a mistaken choice after using the link they would go back to', async () => {
    const html = mailTo(smtp, 'ann@example.org').html!;
    const index = [...html.matchAll(/\/a\/([A-Za-z0-9_.-]+)"[^>]*>Maybe</g)].findIndex((m) => JSON.parse(Buffer.from(m[1]!.split('.')[0]!, 'base64url').toString()).w === workIds[2]);
    const maybe = linkIn(html, 'Maybe', index);
    const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
    await page.goto(maybe);
    await page.getByRole('button', { name: 'Maybe' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Maybe');
    await page.locator('select[name="reason_code"]').selectOption('not peer-involved');
    await page.getByRole('button', { name: 'Change to Exclude' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Exclude');
    // The Maybe link is used; opened again it offers Maybe anew.
    await page.goto(maybe);
    await expect(page.locator('h1').textContent()).resolves.toBe('Already recorded: Maybe');
    await page.screenshot({ path: join(artifacts, 'used-link.png'), fullPage: true });
    await page.getByRole('button', { name: 'Change to Maybe' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Recorded: Maybe');
    expect((await decisions(workIds[2]!)).map((d) => [d.decision, d.reason])).toEqual([['maybe', null], ['exclude', 'not peer-involved'], ['maybe', null]]);
    await page.close();
  });
});
