// Screening decisions over a work's life: resolutions a maintainer corrects, votes after a
// resolution, a change of reviewers_per_record, and what a merge does to a status.
import { writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { and, asc, desc, eq, isNull, ne, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { DbContext } from '../../src/context.js';
import { loadProtocol } from '../../src/config/protocol.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { auditLog, matchReviews, screeningDecisions, works } from '../../src/db/schema/index.js';
import { candidatePages, listCandidates } from '../../src/db/queries/candidates.js';
import { renderCsv } from '../../src/exports/csv.js';
import { recordDecision } from '../../src/screening/record.js';
import { decideMatch } from '../../src/staging/decide.js';
import { cliResult, runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { queryRows } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, reviewerIds, stage, TEAM, writeProtocol } from '../helpers/review.js';

let t: TestDatabase;
let ctx: DbContext;
let env: NodeJS.ProcessEnv;
let file: string;
let ids: Record<string, number>;

beforeAll(async () => {
  t = await createTestDatabase();
  file = writeProtocol({ id: 'flow', reviewersPerRecord: 2, reviewers: TEAM });
  env = reviewEnv(t.url, file);
  ctx = await openReview(env);
  ids = await reviewerIds(ctx, 'flow');
});
afterAll(async () => {
  await ctx.close();
  await t.drop();
});

const db = () => ctx.database.db;
const statusOf = async (id: number) => (await db().select({ s: works.status }).from(works).where(eq(works.id, id)))[0]!.s;
const vote = (who: string, workId: number, decision: 'include' | 'exclude' | 'maybe') =>
  recordDecision(db(), { workId, reviewerId: ids[who]!, decision, reason: null, channel: 'email', tokenId: null });

describe('screening workflow', () => {
  it('a maintainer corrects their own resolution from the CLI; a reviewer\'s later vote is kept and told it does not count', async () => {
    const [w] = await stage(ctx, 'flow', [record(1)]);
    await vote('ann', w!, 'exclude');
    await vote('bob', w!, 'maybe');
    expect(await statusOf(w!)).toBe('conflict');
    const resolve = await runCli(['screen', String(w), 'exclude', '--reviewer', 'mia@example.org'], env);
    expect(resolve.stdout).toBe(`candidate ${w}: exclude by mia@example.org (maintainer); status conflict -> excluded\n`);
    // A mis-click corrected: the resolution is replaced, not ignored.
    const again = await runCli(['screen', String(w), 'include', '--reviewer', 'mia@example.org'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`candidate ${w}: include by mia@example.org (maintainer); status excluded -> included\n`);
    expect(await statusOf(w!)).toBe('included');
    const late = await runCli(['screen', String(w), 'maybe', '--reviewer', 'ann@example.org'], env);
    expect(late.stdout).toBe(`candidate ${w}: maybe by ann@example.org (cli); status included -> included (a maintainer resolved it: their resolution stands)\n`);
    expect((await vote('bob', w!, 'exclude')).resolved).toBe(true);
  });

  it('the same decision twice, from the CLI or at once from two links, is recorded once; another reason is a change', async () => {
    const [w, x] = await stage(ctx, 'flow', [record(41), record(42)]);
    const screen = (...args: string[]) => runCli(['screen', String(w), ...args], env);
    const first = await screen('exclude', '--reviewer', 'ann@example.org', '--reason', 'not english');
    expect(first.stdout).toBe(`candidate ${w}: exclude by ann@example.org (cli); status pending -> pending\n`);
    const again = await screen('exclude', '--reviewer', 'ann@example.org', '--reason', 'Not English');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`candidate ${w}: exclude by ann@example.org (cli); already ann@example.org's decision, nothing recorded; status pending\n`);
    // Without a reason, the one stored stands.
    const ann = (decision: 'include' | 'exclude', reason: string | null) => recordDecision(db(), { workId: w!, reviewerId: ids.ann!, decision, reason, channel: 'cli', tokenId: null });
    expect((await ann('exclude', null)).result).toBe('unchanged');
    const rows = () => db().select().from(screeningDecisions).where(eq(screeningDecisions.workId, w!)).orderBy(asc(screeningDecisions.id));
    expect((await rows()).map((d) => [d.decision, d.reason])).toEqual([['exclude', 'not English']]);
    const audit = () => db().select({ action: auditLog.action, details: auditLog.details }).from(auditLog).where(and(eq(auditLog.entity, 'work'), eq(auditLog.entityId, String(w)))).orderBy(asc(auditLog.id));
    expect((await audit()).map((a) => a.action)).toEqual(['screening.decided']);
    // A new reason is a change of mind about why.
    expect((await ann('exclude', 'wrong design: a survey')).result).toBe('recorded');
    expect((await rows()).map((d) => d.reason)).toEqual(['not English', 'wrong design: a survey']);
    expect((await audit()).map((a) => a.action)).toEqual(['screening.decided', 'screening.changed']);
    // A maintainer's resolution run twice: one resolution.
    await vote('bob', w!, 'include');
    expect(await statusOf(w!)).toBe('conflict');
    await screen('include', '--reviewer', 'mia@example.org');
    const resolvedAgain = await screen('include', '--reviewer', 'mia@example.org');
    expect(resolvedAgain.stdout).toBe(`candidate ${w}: include by mia@example.org (maintainer); already mia@example.org's decision, nothing recorded; status included\n`);
    expect((await rows()).filter((d) => d.channel === 'maintainer')).toHaveLength(1);
    expect(await statusOf(w!)).toBe('included');

    // Two links of one reviewer carrying the same decision, pressed at the same moment.
    const both = await Promise.all(['t-aaaaaaaaaaaaaaaa', 't-bbbbbbbbbbbbbbbb'].map((tokenId) => recordDecision(db(), { workId: x!, reviewerId: ids.ann!, decision: 'include', reason: null, channel: 'email', tokenId })));
    expect(both.map((o) => o.result).sort()).toEqual(['recorded', 'unchanged']);
    expect(await db().select().from(screeningDecisions).where(eq(screeningDecisions.workId, x!))).toHaveLength(1);
  });

  it('a maintainer\'s `screen` on a record that becomes a conflict while the command waits for it resolves the conflict', async () => {
    const [w] = await stage(ctx, 'flow', [record(51)]);
    await vote('ann', w!, 'include');
    let result: Promise<CliResult> | undefined;
    await db().transaction(async (tx) => {
      // Bob's exclusion is being recorded: it holds the work's row, as recordDecision does.
      await tx.select().from(works).where(eq(works.id, w!)).for('update');
      result = cliResult(spawnCli(['screen', String(w), 'include', '--reviewer', 'mia@example.org'], env));
      const waiting = sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
      for (let i = 0; i < 300 && Number((await queryRows<{ n: number }>(db(), waiting))[0]!.n) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      await tx.insert(screeningDecisions).values({ reviewId: 'flow', workId: w!, reviewerId: ids.bob!, decision: 'exclude', reason: null, channel: 'email', tokenId: null });
      await tx.update(works).set({ status: 'conflict' }).where(eq(works.id, w!));
    });
    const done = await result!;
    expect(done.stdout, done.stderr).toBe(`candidate ${w}: include by mia@example.org (maintainer); status conflict -> included\n`);
    expect(await statusOf(w!)).toBe('included');
  });

  it('reviewers_per_record 2 -> 1 settles the works one reviewer decided, and is audited', async () => {
    const [one, two, none] = await stage(ctx, 'flow', [record(11), record(12), record(13)]);
    await vote('ann', one!, 'include');
    await vote('bob', two!, 'exclude');
    expect([await statusOf(one!), await statusOf(two!), await statusOf(none!)]).toEqual(['pending', 'pending', 'pending']);
    const doc = parse(readFileSync(file, 'utf8'));
    doc.screening.reviewers_per_record = 1;
    writeFileSync(file, stringify(doc));
    const reopened = await openReview(env);
    await reopened.close();
    expect([await statusOf(one!), await statusOf(two!), await statusOf(none!)]).toEqual(['included', 'excluded', 'pending']);
    const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.reviewId, 'flow'), eq(auditLog.action, 'protocol.updated'))).orderBy(desc(auditLog.id)).limit(1);
    expect(audit!.details).toMatchObject({ reviewersPerRecord: { from: 2, to: 1 }, restatused: expect.any(Number) });
    // And back: one reviewer's include is again one vote of two.
    doc.screening.reviewers_per_record = 2;
    writeFileSync(file, stringify(doc));
    await (await openReview(env)).close();
    expect(await statusOf(one!)).toBe('pending');
  });

  it('decisions recorded while reviewers_per_record changes all end with the new rule', async () => {
    const ws = await stage(ctx, 'flow', Array.from({ length: 40 }, (_, i) => record(400 + i)));
    const doc = parse(readFileSync(file, 'utf8'));
    doc.screening.reviewers_per_record = 1;
    const one = join(dirname(file), 'flow-one.yaml');
    writeFileSync(one, stringify(doc));
    const decisions = (async () => {
      for (const w of ws) await vote('ann', w, 'include');
    })();
    // The change lands while the decisions are being recorded.
    await new Promise((r) => setTimeout(r, 30));
    await syncProtocol(db(), loadProtocol(one));
    await decisions;
    expect(new Set(await Promise.all(ws.map(statusOf)))).toEqual(new Set(['included']));
    await syncProtocol(db(), loadProtocol(file));
  });

  it('a merge that settles a work says so in the audit log', async () => {
    const [a, b] = await stage(ctx, 'flow', [record(21, { title: 'Copy one of a study', doi: '10.1000/m.21a' }), record(22, { title: 'Copy two of a study', doi: '10.1000/m.21b' })]);
    await vote('ann', a!, 'include');
    await vote('bob', b!, 'include');
    const [pair] = await db().insert(matchReviews).values({ reviewId: 'flow', workA: a!, workB: b!, score: 0.8, reason: 'test' }).returning();
    await decideMatch(db(), 'flow', pair!.id, 'same', 'mia@example.org');
    const [audit] = await db().select().from(auditLog).where(and(eq(auditLog.reviewId, 'flow'), eq(auditLog.action, 'works.merged')));
    expect(audit!.details).toMatchObject({ keptWorkId: a, mergedWorkId: b, statusBefore: { kept: 'pending', merged: 'pending' }, status: 'included' });
  });

  it('exports the reasons of the decisions that exclude a work', async () => {
    const [w, kept] = await stage(ctx, 'flow', [record(31), record(32)]);
    await recordDecision(db(), { workId: w!, reviewerId: ids.ann!, decision: 'include', reason: null, channel: 'email', tokenId: null });
    await recordDecision(db(), { workId: w!, reviewerId: ids.ann!, decision: 'exclude', reason: 'not English', channel: 'email', tokenId: null });
    await recordDecision(db(), { workId: w!, reviewerId: ids.bob!, decision: 'exclude', reason: 'not peer-involved: a pharmacy programme', channel: 'email', tokenId: null });
    await recordDecision(db(), { workId: kept!, reviewerId: ids.ann!, decision: 'exclude', reason: 'changed my mind later', channel: 'email', tokenId: null });
    await recordDecision(db(), { workId: kept!, reviewerId: ids.ann!, decision: 'include', reason: null, channel: 'email', tokenId: null });
    // Overruled: Bob excluded it, a maintainer included it. A conflict still shows the dissent.
    const [overruled, disputed] = await stage(ctx, 'flow', [record(33), record(34)]);
    for (const id of [overruled!, disputed!]) {
      await vote('ann', id, 'include');
      await recordDecision(db(), { workId: id, reviewerId: ids.bob!, decision: 'exclude', reason: 'wrong design', channel: 'email', tokenId: null });
    }
    await recordDecision(db(), { workId: overruled!, reviewerId: ids.mia!, decision: 'include', reason: null, channel: 'maintainer', tokenId: null });
    const rows = await listCandidates(db(), 'flow', 'all');
    expect(rows.find((c) => c.id === w)!.exclusionReasons).toEqual(['not English', 'not peer-involved: a pharmacy programme']);
    expect(rows.find((c) => c.id === kept)!.exclusionReasons).toEqual([]);
    expect(rows.find((c) => c.id === overruled)).toMatchObject({ status: 'included', exclusionReasons: [] });
    expect(rows.find((c) => c.id === disputed)).toMatchObject({ status: 'conflict', exclusionReasons: ['wrong design'] });
    expect(renderCsv(rows.filter((c) => c.id === w))).toMatch(/,not English; not peer-involved: a pharmacy programme\r\n$/);
  });

  it('pages through the candidates in export order, each once, across works staged in one transaction', async () => {
    const expected = await db()
      .select({ id: works.id })
      .from(works)
      .where(and(eq(works.reviewId, 'flow'), isNull(works.mergedIntoId), ne(works.origin, 'seed')))
      .orderBy(asc(works.firstSeenAt), asc(works.id));
    expect(expected.length).toBeGreaterThan(5);
    const paged: number[] = [];
    for await (const page of candidatePages(db(), 'flow', 'all', 2)) paged.push(...page.map((c) => c.id));
    expect(paged).toEqual(expected.map((w) => w.id));
  });
});
