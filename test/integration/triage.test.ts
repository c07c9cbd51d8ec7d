import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../src/config/secret.js';
import type { DbContext } from '../../src/context.js';
import { auditLog, digests, matchReviews, reviewers, screeningDecisions, works } from '../../src/db/schema/index.js';
import { reviewStatus } from '../../src/db/queries/status.js';
import { signToken } from '../../src/links/tokens.js';
import { signedLink } from '../../src/links/urls.js';
import { QUEUE_PAGE } from '../../src/digest/build.js';
import { recordDecision } from '../../src/screening/record.js';
import { decideMatch } from '../../src/staging/decide.js';
import { stageSeeds } from '../../src/staging/seeds.js';
import { NO_FLAGS } from '../../src/records/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, reviewerIds, stage, TEAM, writeProtocol } from '../helpers/review.js';
import { onServer, startTriage, type TestServer } from '../helpers/web.js';

let t: TestDatabase;
let ctx: DbContext;
let server: TestServer;
let ids: Record<string, number>;
const signer = { secret: TEST_SECRET, publicUrl: 'https://lr.example.org' };

beforeAll(async () => {
  t = await createTestDatabase();
  ctx = await openReview(reviewEnv(t.url, writeProtocol({ id: 'tri', reviewersPerRecord: 2, reviewers: TEAM })));
  ids = await reviewerIds(ctx, 'tri');
  server = await startTriage(ctx);
});
afterAll(async () => {
  await server.close();
  await ctx.close();
  await t.drop();
});

const db = () => ctx.database.db;
const decisionsOf = (workId: number) => db().select().from(screeningDecisions).where(eq(screeningDecisions.workId, workId)).orderBy(screeningDecisions.id);
const statusOf = async (workId: number) => (await db().select({ s: works.status }).from(works).where(eq(works.id, workId)))[0]!.s;
const link = (who: string, workId: number, action: 'include' | 'exclude' | 'maybe') => onServer(server, signedLink(signer, 'decide', { reviewerId: ids[who]!, workId, action }));
const post = (url: string, form: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });

describe('emailed action links', () => {
  it('GET and HEAD show a confirm page and change nothing; POST records once', async () => {
    const [w] = await stage(ctx, 'tri', [record(1, { title: 'Trial <img src=x onerror=alert(1)>' })]);
    const url = link('ann', w!, 'include');
    for (const method of ['GET', 'HEAD', 'GET']) {
      const r = await fetch(url, { method });
      expect(r.status).toBe(200);
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('cache-control')).toBe('no-store');
      if (method === 'GET') {
        const page = await r.text();
        expect(page).toMatch(/<form method="post"/);
        expect(page).not.toMatch(/<script/i);
        expect(page).toContain('Trial &lt;img src=x onerror=alert(1)&gt;');
      }
    }
    expect(await decisionsOf(w!)).toEqual([]);

    const first = await post(url);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Recorded: Include');
    const again = await post(url);
    expect(await again.text()).toContain('Already recorded: Include');
    const rows = await decisionsOf(w!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reviewerId: ids.ann, decision: 'include', channel: 'email' });
    // One of two reviewers: still pending.
    expect(await statusOf(w!)).toBe('pending');
    expect(server.logs.join('')).not.toContain(new URL(url).pathname.slice(3));
  });

  it('refuses tampered, expired and misused tokens with a 4xx page and changes nothing', async () => {
    const [w] = await stage(ctx, 'tri', [record(2)]);
    const url = link('ann', w!, 'exclude');
    const token = url.slice(url.lastIndexOf('/') + 1);
    const flipped = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    const expired = signToken(TEST_SECRET, { purpose: 'decide', reviewerId: ids.ann!, workId: w!, action: 'exclude', ttl: 60, now: new Date(Date.now() - 3_600_000) });
    const otherKey = signToken('some-other-secret-value', { purpose: 'decide', reviewerId: ids.ann!, workId: w!, action: 'exclude', ttl: 60 });
    const unsub = signToken(TEST_SECRET, { purpose: 'unsubscribe', reviewerId: ids.ann!, ttl: 60 });
    const cases: [string, number][] = [
      [flipped, 403],
      [token.slice(0, -3), 403],
      ['not-a-token', 400],
      [expired, 410],
      [otherKey, 403],
      [unsub, 403],
    ];
    for (const [bad, status] of cases) {
      for (const method of ['GET', 'POST']) {
        const r = await fetch(`${server.base}/a/${bad}`, { method, ...(method === 'POST' ? { body: new URLSearchParams() } : {}) });
        expect(r.status, `${method} ${bad.slice(0, 12)}`).toBe(status);
        expect(r.headers.get('referrer-policy')).toBe('no-referrer');
        expect(await r.text()).toMatch(/Nothing was changed/);
      }
    }
    expect(await decisionsOf(w!)).toEqual([]);
  });

  it('records a change of mind as a new decision, with the protocol reason and a note', async () => {
    const [w] = await stage(ctx, 'tri', [record(3)]);
    const include = link('bob', w!, 'include');
    await post(include);
    const r = await post(link('bob', w!, 'exclude'), { reason_code: 'not English', reason_text: 'Portuguese' });
    expect(r.status).toBe(200);
    // The include link again: it was used, and says what stands now.
    const replay = await (await post(include)).text();
    expect(replay).toContain('<title>Link already used');
    expect(replay).toContain('Already recorded: Include');
    expect(replay).toContain('Your decision now is Exclude, from a later link.');
    const rows = await decisionsOf(w!);
    expect(rows.map((d) => [d.decision, d.reason])).toEqual([
      ['include', null],
      ['exclude', 'not English: Portuguese'],
    ]);
    const audit = await db().select().from(auditLog).where(and(eq(auditLog.entity, 'work'), eq(auditLog.entityId, String(w))));
    expect(audit.map((a) => [a.action, a.actor, a.channel])).toEqual([
      ['screening.decided', 'bob@example.org', 'email'],
      ['screening.changed', 'bob@example.org', 'email'],
    ]);
    expect((await post(link('bob', w!, 'exclude'), { reason_code: 'made up' })).status).toBe(400);
  });

  it('a reviewer who used every link of a record can still change their mind, from the page the links lead to', async () => {
    const [w] = await stage(ctx, 'tri', [record(7, { title: 'Mind changed twice' })]);
    const include = link('ann', w!, 'include');
    const exclude = link('ann', w!, 'exclude');
    await post(include);
    await post(exclude, { reason_code: 'not English' });
    // The include link is used up: opening it again says what it did and what stands, and offers a way back.
    const opened = await fetch(include);
    const page = await opened.text();
    expect(page).toContain('<title>Link already used');
    expect(page).toContain('Your decision now is Exclude, from a later link.');
    expect(page).not.toContain('Confirm: Include');
    const change = (html: string, cls: string) => html.match(new RegExp(`formaction="([^"]+)" class="${cls}"`))![1]!;
    expect(page).not.toMatch(/formaction="[^"]+" class="exclude"/);
    expect(await decisionsOf(w!)).toHaveLength(2);
    // The button posts to a fresh decision link beside the page's own (a relative reference).
    const back = await post(new URL(change(page, 'include'), include).href);
    expect(await back.text()).toContain('Recorded: Include');
    expect((await decisionsOf(w!)).map((d) => d.decision)).toEqual(['include', 'exclude', 'include']);
    // Pressing the same choice again from a fresh link records nothing and says why.
    const same = await (await post(link('ann', w!, 'include'))).text();
    expect(same).toContain('Already your decision: Include');
    expect(same).toContain('This was already your decision, so nothing new was recorded.');
    expect(await decisionsOf(w!)).toHaveLength(3);
    // A fresh link for another choice names the decision it would change before it is pressed.
    expect(await (await fetch(link('ann', w!, 'maybe'))).text()).toContain('You decided Include before: pressing the button changes it.');
  });

  it('a reviewer changes a decision made on the queue page, and a maintainer a resolution, from the page they made it on', async () => {
    const [q, c] = await stage(ctx, 'tri', [record(8, { title: 'Queue mis-click' }), record(9, { title: 'Resolution mis-click' })]);
    const queue = onServer(server, signedLink(signer, 'queue', { reviewerId: ids.bob! }));
    const token = (html: string, title: string, cls: string) => html.slice(html.indexOf(title)).match(new RegExp(`name="t" value="([^"]+)" class="${cls}"`))![1]!;
    const pressed = await post(queue, { t: token(await (await fetch(queue)).text(), 'Queue mis-click', 'exclude') });
    expect(pressed.headers.get('location')).toBe(`?recorded=exclude&work=${q}`);
    const after = await (await fetch(new URL(pressed.headers.get('location')!, queue))).text();
    const card = after.slice(after.indexOf('class="card last"'), after.indexOf('Keys:'));
    expect(card).toContain('Queue mis-click');
    expect(card).toContain('Your decision on this record: Exclude.');
    const undo = await post(queue, { t: token(card, 'Queue mis-click', 'include') });
    expect(undo.headers.get('location')).toBe(`?recorded=include&work=${q}`);
    expect((await decisionsOf(q!)).map((d) => [d.decision, d.channel])).toEqual([['exclude', 'web'], ['include', 'web']]);
    // The card is only for the page's own reviewer's decided works.
    expect(await (await fetch(`${queue}?work=${c}`)).text()).not.toContain('class="card last"');
    expect(await (await fetch(onServer(server, signedLink(signer, 'queue', { reviewerId: ids.ann! })) + `?work=${q}`)).text()).not.toContain('class="card last"');

    await post(link('ann', c!, 'include'));
    await post(link('bob', c!, 'exclude'));
    const conflicts = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! }));
    const resolved = await post(conflicts, { t: token(await (await fetch(conflicts)).text(), 'Resolution mis-click', 'exclude') });
    expect(await statusOf(c!)).toBe('excluded');
    const page = await (await fetch(new URL(resolved.headers.get('location')!, conflicts))).text();
    const last = page.slice(page.indexOf('class="card last"'), page.indexOf('No conflicts') > 0 ? page.indexOf('No conflicts') : page.indexOf('Possible duplicates'));
    expect(last).toContain('Resolved as: Exclude.');
    await post(conflicts, { t: token(last, 'Resolution mis-click', 'include') });
    expect(await statusOf(c!)).toBe('included');
    const audit = await db().select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.entity, 'work'), eq(auditLog.entityId, String(c))));
    expect(audit.map((a) => a.action)).toEqual(['screening.decided', 'screening.decided', 'screening.resolved', 'screening.resolved']);
  });

  it('a screened record declared one of the original review\'s studies is included, audited, and its links say why they no longer decide', async () => {
    const [w] = await stage(ctx, 'tri', [record(10, { title: 'Later found in the original review' })]);
    await post(link('ann', w!, 'exclude'), { reason_code: 'not English' });
    await post(link('bob', w!, 'exclude'));
    const bobs = link('bob', w!, 'include');
    await stageSeeds(db(), 'tri', 'protocol', [{ record: { source: 'protocol', sourceId: 'doi:10.1000/lr.10', doi: '10.1000/lr.10', title: '', authors: [], flags: NO_FLAGS } }]);
    expect(await statusOf(w!)).toBe('included');
    const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.entityId, String(w)), eq(auditLog.action, 'screening.seeded')));
    expect(audit).toMatchObject({ actor: 'system', details: { source: 'protocol', statusBefore: 'excluded', status: 'included', decisions: 2 } });
    for (const method of ['GET', 'POST']) {
      const r = await fetch(bobs, { method });
      expect(r.status).toBe(409);
      expect(await r.text()).toContain('one of the original review&#39;s included studies');
    }
    expect(await decisionsOf(w!)).toHaveLength(2);
  });

  it('two reviewers disagreeing make a conflict, which a maintainer resolves on the conflicts page', async () => {
    const [w] = await stage(ctx, 'tri', [record(4, { title: 'Disputed study' })]);
    await post(link('ann', w!, 'include'));
    // Bob is told before he presses what his exclusion will do; an agreeing include says nothing of it.
    const conflictNote = 'Another reviewer decided otherwise: pressing the button makes this record a conflict for a maintainer to resolve.';
    expect(await (await fetch(link('bob', w!, 'exclude'))).text()).toContain(conflictNote);
    expect(await (await fetch(link('bob', w!, 'include'))).text()).not.toContain(conflictNote);
    await post(link('bob', w!, 'exclude'), { reason_code: 'not peer-involved' });
    expect(await statusOf(w!)).toBe('conflict');

    // Reviewers cannot open the maintainer page.
    const asReviewer = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.ann! }));
    expect((await fetch(asReviewer)).status).toBe(403);

    const page = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! }));
    const html = await (await fetch(page)).text();
    expect(html).toContain('Disputed study');
    expect(html).toContain('not peer-involved');
    const form = html.slice(html.indexOf('Disputed study'));
    const resolveToken = form.match(/name="t" value="([^"]+)" class="exclude"/)![1]!;
    const r = await post(page, { t: resolveToken, reason_text: 'agreed with Bob' });
    expect(r.status).toBe(303);
    // The page itself as the browser addressed it, whatever path prefix a proxy added.
    expect(r.headers.get('location')).toBe(`?recorded=exclude&work=${w}`);
    expect(await statusOf(w!)).toBe('excluded');
    expect(await (await fetch(link('ann', w!, 'maybe'))).text()).toContain('A maintainer has resolved this record: your decision will be kept, and their resolution stands.');
    const last = (await decisionsOf(w!)).at(-1)!;
    expect(last).toMatchObject({ reviewerId: ids.mia, decision: 'exclude', channel: 'maintainer', reason: 'agreed with Bob' });
    const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.entityId, String(w)), eq(auditLog.action, 'screening.resolved')));
    expect(audit).toMatchObject({ actor: 'mia@example.org', channel: 'maintainer' });
    // A resolve button cannot be replayed into a second decision, and the page says so.
    const replay = await post(page, { t: resolveToken });
    expect(replay.headers.get('location')).toBe(`?already=exclude&work=${w}`);
    expect(await (await fetch(new URL(replay.headers.get('location')!, page))).text()).toContain('Already recorded: exclude.');
    expect(await decisionsOf(w!)).toHaveLength(3);
    // Buttons of one page do not work on another reviewer's page.
    const bobPage = onServer(server, signedLink(signer, 'queue', { reviewerId: ids.bob! }));
    expect((await post(bobPage, { t: resolveToken })).status).toBe(403);
  });

  it('two resolutions of one conflict pressed at once on pages shown before either: one stands, the other is refused and says why', async () => {
    const [w] = await stage(ctx, 'tri', [record(11, { title: 'Resolved twice at once' })]);
    await post(link('ann', w!, 'include'));
    await post(link('bob', w!, 'exclude'));
    const page = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! }));
    const tokenOf = (html: string, cls: string) => html.slice(html.indexOf('Resolved twice at once')).match(new RegExp(`name="t" value="([^"]+)" class="${cls}"`))![1]!;
    // Two tabs (or two maintainers), each showing the conflict.
    const [one, two] = await Promise.all([fetch(page).then((r) => r.text()), fetch(page).then((r) => r.text())]);
    const answers = await Promise.all([post(page, { t: tokenOf(one!, 'include') }), post(page, { t: tokenOf(two!, 'exclude') })]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    const refused = answers.find((r) => r.status === 409)!;
    const resolutions = (await decisionsOf(w!)).filter((d) => d.channel === 'maintainer');
    expect(resolutions).toHaveLength(1);
    expect(await statusOf(w!)).toBe(resolutions[0]!.decision === 'include' ? 'included' : 'excluded');
    expect(await refused.text()).toContain(`mia@example.org resolved this record as ${resolutions[0]!.decision} after the page was shown; reload the page to resolve it again`);
    // The page shown after the answer resolves it again at will.
    const after = await (await fetch(`${page}?work=${w}`)).text();
    const other = resolutions[0]!.decision === 'include' ? 'exclude' : 'include';
    expect((await post(page, { t: tokenOf(after.slice(after.indexOf('class="card last"')), other) })).status).toBe(303);
    expect((await decisionsOf(w!)).filter((d) => d.channel === 'maintainer').map((d) => d.decision)).toEqual([resolutions[0]!.decision, other]);
  });

  it('lists uncertain duplicates for maintainers, merges on "same" and remembers "different"', async () => {
    const [a, b, c, d] = await stage(ctx, 'tri', [
      record(21, { title: 'Naloxone kits from peers: a cohort study' }),
      record(22, { title: 'Naloxone kits from peers: cohort study (preprint)' }),
      record(23, { title: 'Overdose response training' }),
      record(24, { title: 'Overdose response training for peer workers' }),
    ]);
    await post(link('ann', b!, 'include'));
    const [same, different] = await db()
      .insert(matchReviews)
      .values([
        { reviewId: 'tri', workA: a!, workB: b!, score: 0.81, reason: 'doi-conflict' },
        { reviewId: 'tri', workA: c!, workB: d!, score: 0.7, reason: 'title contained' },
      ])
      .returning();
    expect((await reviewStatus(db(), 'tri')).attention.uncertainPairs).toBe(2);
    const page = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! }));
    const html = await (await fetch(page)).text();
    const section = html.slice(html.indexOf('Possible duplicates'));
    for (const title of ['Naloxone kits from peers: a cohort study', 'Overdose response training for peer workers']) expect(section).toContain(title);
    // The engine's reason in words, its code beside it; a code without words is shown as it is.
    expect(section).toContain('Everything agrees except the DOIs. <span class="note">(similarity 0.81, doi-conflict)</span>');
    expect(section).toContain('title contained <span class="note">(similarity 0.70, title contained)</span>');
    const tokenOf = (title: string, cls: string) => section.slice(section.indexOf(title)).match(new RegExp(`name="t" value="([^"]+)" class="${cls}"`))![1]!;
    const sameToken = tokenOf('Naloxone kits from peers: a cohort study', 'include');
    const differentToken = tokenOf('Overdose response training', 'exclude');

    // A forged button changes nothing.
    expect((await post(page, { kind: 'match', t: sameToken.slice(0, -2) + 'xx' })).status).toBe(403);
    expect((await db().select().from(matchReviews).where(eq(matchReviews.id, same!.id)))[0]!.decision).toBeNull();

    expect((await post(page, { kind: 'match', t: sameToken })).status).toBe(303);
    expect((await post(page, { kind: 'match', t: differentToken })).status).toBe(303);
    const decided = await db().select().from(matchReviews).orderBy(matchReviews.id);
    expect(decided.filter((m) => m.id === same!.id || m.id === different!.id).map((m) => [m.decision, m.decidedBy])).toEqual([
      ['same', 'mia@example.org'],
      ['different', 'mia@example.org'],
    ]);
    // Merged into the older work, whose status takes the decision that was on the other.
    const merged = await db().select({ id: works.id, into: works.mergedIntoId }).from(works).where(eq(works.id, b!));
    expect(merged[0]!.into).toBe(a);
    expect((await decisionsOf(a!)).map((x) => x.decision)).toEqual(['include']);
    const after = await (await fetch(page)).text();
    expect(after.slice(after.indexOf('Possible duplicates'), after.indexOf('Retractions and corrections'))).toContain('None.');
    expect((await reviewStatus(db(), 'tri')).attention.uncertainPairs).toBe(0);
    // A work a notice has reached is named on the same page, with what reached it.
    expect(after.slice(after.indexOf('Retractions and corrections'), after.indexOf('Digest delivery'))).toContain('None.');
    await db().update(works).set({ attention: 'retraction-of work 999' }).where(eq(works.id, c!));
    const flagged = await (await fetch(page)).text();
    const notices = flagged.slice(flagged.indexOf('Retractions and corrections'), flagged.indexOf('Digest delivery'));
    expect(notices).toContain(`<td>${c}</td><td>Overdose response training</td><td>pending</td><td>retraction-of work 999</td>`);
  });

  it('after "same work" the merged copy leaves queues and conflicts, its old links decide the kept work, and both copies\' votes settle it', async () => {
    const [a, b, c, d, e, f] = await stage(ctx, 'tri', [
      record(31, { title: 'Peer-led naloxone distribution in shelters' }),
      record(32, { title: 'Peer led naloxone distribution in homeless shelters' }),
      record(33, { title: 'Recovery coaches after emergency overdose care' }),
      record(34, { title: 'Recovery coaching after overdose in emergency departments' }),
      record(35, { title: 'Drug checking services run by peers' }),
      record(36, { title: 'Drug-checking services staffed by peer workers' }),
    ]);
    const merge = async (x: number, y: number) => {
      const [pair] = await db().insert(matchReviews).values({ reviewId: 'tri', workA: x, workB: y, score: 0.8, reason: 'journal' }).returning();
      await decideMatch(db(), 'tri', pair!.id, 'same', 'mia@example.org');
    };
    // Each reviewer included one copy: together, two includes.
    await post(link('ann', a!, 'include'));
    await post(link('bob', b!, 'include'));
    await merge(a!, b!);
    expect(await statusOf(a!)).toBe('included');
    // Both included one copy, then Bob excluded the other: his latest vote is exclude.
    await post(link('ann', c!, 'include'));
    await post(link('bob', c!, 'include'));
    await post(link('bob', d!, 'exclude'));
    await merge(c!, d!);
    expect(await statusOf(c!)).toBe('conflict');
    const conflicts = await (await fetch(onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! })))).text();
    expect(conflicts).toContain('Recovery coaches after emergency overdose care');
    expect(conflicts).not.toContain('Recovery coaching after overdose in emergency departments');

    // Undecided copies: the queue shows the kept one only; a digest link to the other decides it.
    await merge(e!, f!);
    const queue = await (await fetch(onServer(server, signedLink(signer, 'queue', { reviewerId: ids.ann! })))).text();
    expect(queue).toContain('Drug checking services run by peers');
    expect(queue).not.toContain('Drug-checking services staffed by peer workers');
    const old = link('ann', f!, 'exclude');
    expect(await (await fetch(old)).text()).toContain('Drug checking services run by peers');
    expect((await post(old)).status).toBe(200);
    expect((await decisionsOf(e!)).map((x) => [x.reviewerId, x.decision])).toEqual([[ids.ann, 'exclude']]);
    expect(await decisionsOf(f!)).toEqual([]);
  });

  it('shows digests whose delivery is in doubt with their Message-IDs, and takes a maintainer\'s answer once', async () => {
    const digest = (period: string, status: 'ambiguous' | 'failed') => ({
      reviewId: 'tri', reviewerId: ids.ann!, period, status, messageId: `<digest-${period}@lr.example.org>`, recipient: 'ann@example.org',
      subject: 's', text: 't', html: 'h', workIds: [], attempts: 1, lastError: status === 'failed' ? '550 no such user' : 'the sending process stopped during the send',
    });
    const [lost, arrived, refused] = await db().insert(digests).values([digest('p1', 'ambiguous'), digest('p2', 'ambiguous'), digest('p3', 'failed')]).returning();
    const page = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! }));
    const html = await (await fetch(page)).text();
    const section = html.slice(html.indexOf('Digest delivery'));
    for (const d of [lost, arrived, refused]) expect(section).toContain(`<code>&lt;digest-${d!.period}@lr.example.org&gt;</code>`);
    // Buttons for the two ambiguous digests only; a failed one's records come in the next digest.
    expect(section.match(/name="kind" value="delivery"/g)).toHaveLength(2);
    const tokenOf = (period: string, cls: string) => section.slice(section.indexOf(`digest-${period}@`)).match(new RegExp(`name="t" value="([^"]+)" class="${cls}"`))![1]!;

    const resend = await post(page, { kind: 'delivery', t: tokenOf('p1', 'maybe') });
    expect(resend.headers.get('location')).toBe(`?recorded=${encodeURIComponent(`digest ${lost!.id} will be sent again`)}`);
    const [again] = await db().select().from(digests).where(eq(digests.id, lost!.id));
    expect(again).toMatchObject({ status: 'pending' });
    expect(again!.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await post(page, { kind: 'delivery', t: tokenOf('p1', 'maybe') })).headers.get('location')).toMatch(/^\?already=/);

    await post(page, { kind: 'delivery', t: tokenOf('p2', 'include') });
    expect((await db().select().from(digests).where(eq(digests.id, arrived!.id)))[0]).toMatchObject({ status: 'sent', smtpResponse: 'confirmed delivered by mia@example.org' });
    const audits = await db().select({ action: auditLog.action, actor: auditLog.actor }).from(auditLog).where(eq(auditLog.entity, 'digest'));
    expect(audits).toEqual([{ action: 'digest.resend', actor: 'mia@example.org' }, { action: 'digest.confirmed', actor: 'mia@example.org' }]);
    // A reviewer's page does not take a maintainer's button.
    const annPage = onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.ann! }));
    expect((await post(annPage, { kind: 'delivery', t: tokenOf('p2', 'include') })).status).toBe(403);
  });

  it('the queue lists what waits for the reviewer and records button presses once', async () => {
    const [w] = await stage(ctx, 'tri', [record(5, { title: 'Queued study' })]);
    const page = onServer(server, signedLink(signer, 'queue', { reviewerId: ids.bob! }));
    const r = await fetch(page);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
    const html = await r.text();
    expect(html).toContain('Queued study');
    expect(html).not.toContain('Disputed study');
    const form = html.slice(html.indexOf('Queued study'));
    const token = form.match(/name="t" value="([^"]+)" class="maybe"/)![1]!;
    const res = await post(page, { t: token, reason_code: '', reason_text: '' });
    expect(res.status).toBe(303);
    await post(page, { t: token });
    expect((await decisionsOf(w!)).map((d) => [d.decision, d.channel])).toEqual([['maybe', 'web']]);
    expect(await (await fetch(page)).text()).not.toContain('Queued study');
  });
});

describe('links minted from links', () => {
  const expiry = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')).e as number;

  it('a decision link hands out a queue link, and the queue page buttons, that end when it ends', async () => {
    const [w, other] = await stage(ctx, 'tri', [record(61, { title: 'Forwarded study' }), record(62, { title: 'Next study' })]);
    // A digest link from 29 days ago, good for one more day.
    const old = signToken(TEST_SECRET, { purpose: 'decide', reviewerId: ids.bob!, workId: w!, action: 'maybe', ttl: 30 * 86_400, now: new Date(Date.now() - 29 * 86_400_000) });
    const ends = expiry(old);
    for (const _ of [1, 2]) {
      const page = await (await post(onServer(server, `https://lr.example.org/a/${old}`))).text();
      const queue = page.match(/href="https:\/\/lr\.example\.org\/q\/([^"]+)"/)![1]!;
      expect(expiry(queue)).toBeLessThanOrEqual(ends);
      const html = await (await fetch(onServer(server, `https://lr.example.org/q/${queue}`))).text();
      const buttons = [...html.slice(html.indexOf('Next study')).matchAll(/name="t" value="([^"]+)"/g)].map((m) => m[1]!);
      expect(buttons.length).toBeGreaterThan(0);
      for (const b of buttons) expect(expiry(b)).toBeLessThanOrEqual(ends);
    }
    expect((await decisionsOf(other!)).length).toBe(0);
  });
});

describe('a long queue', () => {
  it('shows the first page of what waits, best-ranked first, and says how many wait', async () => {
    await stage(ctx, 'tri', Array.from({ length: QUEUE_PAGE + 5 }, (_, i) => record(100 + i, { title: `Long queue study ${i}` })));
    const html = await (await fetch(onServer(server, signedLink(signer, 'queue', { reviewerId: ids.mia! })))).text();
    const waiting = Number(/(\d+) record\(s\) waiting/.exec(html)![1]);
    expect(waiting).toBeGreaterThanOrEqual(QUEUE_PAGE + 5);
    expect(html).toContain(`(the first ${QUEUE_PAGE} are shown; each answer brings the next)`);
    expect(html.split('class="card item"').length - 1).toBe(QUEUE_PAGE);
  });

  it('the conflicts page shows the first page of conflicts and says how many there are', async () => {
    const disputed = await stage(ctx, 'tri', Array.from({ length: QUEUE_PAGE + 2 }, (_, i) => record(200 + i, { title: `Long dispute ${i}` })));
    for (const workId of disputed) {
      await recordDecision(db(), { workId, reviewerId: ids.ann!, decision: 'include', reason: null, channel: 'email', tokenId: null });
      await recordDecision(db(), { workId, reviewerId: ids.bob!, decision: 'exclude', reason: null, channel: 'email', tokenId: null });
    }
    const html = await (await fetch(onServer(server, signedLink(signer, 'conflicts', { reviewerId: ids.mia! })))).text();
    const count = Number(/(\d+) conflict\(s\)/.exec(html)![1]);
    expect(count).toBeGreaterThanOrEqual(QUEUE_PAGE + 2);
    expect(html).toContain(`${count} conflict(s) (the first ${QUEUE_PAGE} are shown; each answer brings the next)`);
    expect(html.split('Resolve: Include').length - 1).toBe(QUEUE_PAGE);
  });
});

describe('unsubscribe (RFC 8058)', () => {
  it('GET confirms without change; one-click POST unsubscribes with 200 and no redirect', async () => {
    const url = onServer(server, signedLink(signer, 'unsubscribe', { reviewerId: ids.ann! }));
    const unsubscribed = async () => (await db().select().from(reviewers).where(eq(reviewers.id, ids.ann!)))[0]!.unsubscribedAt;
    const shown = await fetch(url);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('<form method="post">');
    expect(await unsubscribed()).toBeNull();
    const r = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(r.status).toBe(200);
    expect(r.headers.get('location')).toBeNull();
    expect(await unsubscribed()).toBeInstanceOf(Date);
    expect((await fetch(url, { method: 'POST', redirect: 'manual' })).status).toBe(200);
    const audit = await db().select().from(auditLog).where(eq(auditLog.action, 'reviewer.unsubscribed'));
    expect(audit).toHaveLength(1);
  });
});

describe('unsubscribe after leaving the protocol', () => {
  it('a removed reviewer can still unsubscribe with one click; their other links stay refused', async () => {
    const [w] = await stage(ctx, 'tri', [record(900)]);
    await db().update(reviewers).set({ active: 0 }).where(eq(reviewers.id, ids.bob!));
    try {
      const url = onServer(server, signedLink(signer, 'unsubscribe', { reviewerId: ids.bob! }));
      expect((await fetch(url)).status).toBe(200);
      const r = await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
      expect(r.status).toBe(200);
      expect((await db().select().from(reviewers).where(eq(reviewers.id, ids.bob!)))[0]!.unsubscribedAt).toBeInstanceOf(Date);
      const audit = await db().select().from(auditLog).where(and(eq(auditLog.action, 'reviewer.unsubscribed'), eq(auditLog.entityId, String(ids.bob!))));
      expect(audit).toHaveLength(1);
      expect((await post(link('bob', w!, 'include'))).status).toBe(403);
      expect((await fetch(onServer(server, signedLink(signer, 'queue', { reviewerId: ids.bob! })))).status).toBe(403);
      expect(await decisionsOf(w!)).toEqual([]);
    } finally {
      await db().update(reviewers).set({ active: 1, unsubscribedAt: null }).where(eq(reviewers.id, ids.bob!));
    }
  });
});
