// Relevance ranking against real Postgres: trained on a review's decisions, written to
// works.relevance, followed by the reviewer queue and the digest, run by the cycle and the digest.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../../src/config/secret.js';
import type { DbContext } from '../../src/context.js';
import { works } from '../../src/db/schema/index.js';
import { newForReviewer, queueFor } from '../../src/digest/build.js';
import { mailerFor, runDigestOnce } from '../../src/digest/run.js';
import { createLogger } from '../../src/log.js';
import { MIN_PER_CLASS } from '../../src/ranking/ranker.js';
import { updateRelevance } from '../../src/ranking/update.js';
import type { SourceRecord } from '../../src/records/types.js';
import { runCycle } from '../../src/runs/cycle.js';
import { findReviewer, recordDecision } from '../../src/screening/record.js';
import type { Source } from '../../src/sources/types.js';
import { stageSeeds } from '../../src/staging/seeds.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol } from '../helpers/review.js';

const ON_TOPIC = 'Peer workers with lived experience of drug use offered naloxone and overdose response training.';
const OFF_TOPIC = 'Orthopaedic surgery of the knee and hip joint, with rehabilitation and functional outcomes.';
const INCLUDES = [
  'Peer workers distribute naloxone in homeless shelters',
  'Take-home naloxone delivered by peer navigators',
  'Overdose response training for peer outreach staff',
  'Peer-led overdose prevention at supervised consumption sites',
  'Naloxone kits handed out through peer harm reduction programmes',
  'Peer support after a non-fatal opioid overdose',
];
const EXCLUDES = [
  'Arthroscopic repair of knee cartilage in athletes',
  'Total knee replacement outcomes in older adults',
  'Rehabilitation after anterior cruciate ligament surgery',
  'Hip arthroplasty revision rates in a national registry',
  'Knee osteoarthritis injections compared with physiotherapy',
  'Meniscus tear surgery versus exercise therapy',
];
const LIKE_INCLUDES = ['Naloxone distribution by peer navigators in rural counties', 'Peer overdose responders at music festivals'];
const LIKE_EXCLUDES = ['Knee surgery complications after hospital discharge', 'Cartilage surgery of the knee joint in adolescents'];

let t: TestDatabase;
const contexts: DbContext[] = [];
let serial = 0;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await t.drop();
});

const onTopic = (title: string) => record(++serial, { title, abstract: ON_TOPIC });
const offTopic = (title: string) => record(++serial, { title, abstract: OFF_TOPIC });

async function setup(id: string, extraEnv: Record<string, string | undefined> = {}) {
  const ctx = await openReview(reviewEnv(t.url, writeProtocol({ id, reviewers: [{ name: 'Ann Reviewer', email: 'ann@example.org' }] }), extraEnv));
  contexts.push(ctx);
  const db = ctx.database.db;
  const reviewer = (await findReviewer(db, id, 'ann@example.org'))!;
  const decide = async (ids: number[], decision: 'include' | 'exclude' | 'maybe') => {
    for (const workId of ids) await recordDecision(db, { workId, reviewerId: reviewer.id, decision, reason: null, channel: 'cli', tokenId: null });
  };
  /** Decided works of both topics, then pending ones: like the includes first, like the excludes newest. */
  const screened = async (includes: number, excludes: number) => {
    await decide(await stage(ctx, id, INCLUDES.slice(0, includes).map(onTopic)), 'include');
    await decide(await stage(ctx, id, EXCLUDES.slice(0, excludes).map(offTopic)), 'exclude');
    const relevant = await stage(ctx, id, LIKE_INCLUDES.map(onTopic));
    const irrelevant = await stage(ctx, id, LIKE_EXCLUDES.map(offTopic));
    expect([relevant, irrelevant].flat()).toHaveLength(4);
    return { relevant, irrelevant };
  };
  const relevance = async (ids: number[]) =>
    new Map((await db.select({ id: works.id, r: works.relevance }).from(works).where(inArray(works.id, ids))).map((w) => [w.id, w.r]));
  return { ctx, db, reviewer, decide, screened, relevance };
}

describe('relevance ranking', () => {
  it('with enough decisions, pending works like the includes rank above those like the excludes, in queue and digest', async () => {
    const { db, reviewer, decide, screened, relevance } = await setup('rk-main');
    const { relevant, irrelevant } = await screened(6, 6);
    // A maybe is not a label: it neither trains nor gets a score.
    const [maybe] = await stage(contexts.at(-1)!, 'rk-main', [onTopic('Peer naloxone programmes: a maybe')]);
    await decide([maybe!], 'maybe');
    // Before any model the queue is newest first: the off-topic works lead.
    expect((await queueFor(db, reviewer)).records.map((w) => w.workId)).toEqual([...irrelevant, ...relevant]);

    expect(await updateRelevance(db, 'rk-main')).toEqual({ kind: 'ranked', trained: { includes: 6, excludes: 6 }, scored: 4 });
    const r = await relevance([...relevant, ...irrelevant, maybe!]);
    for (const id of [...relevant, ...irrelevant]) expect(r.get(id)).toBeGreaterThanOrEqual(0), expect(r.get(id)).toBeLessThanOrEqual(1);
    expect(Math.min(...relevant.map((id) => r.get(id)!))).toBeGreaterThan(Math.max(...irrelevant.map((id) => r.get(id)!)));
    expect(r.get(maybe!)).toBeNull();

    const queue = (await queueFor(db, reviewer)).records.map((w) => w.workId);
    expect(new Set(queue.slice(0, 2))).toEqual(new Set(relevant));
    expect(new Set(queue.slice(2))).toEqual(new Set(irrelevant));
    expect((await newForReviewer(db, reviewer)).records.map((w) => w.workId)).toEqual(queue);
  });

  it('ranks again only when a work, a decision or a record changed since the last pass', async () => {
    const { ctx, db, decide, screened } = await setup('rk-state');
    const { relevant, irrelevant } = await screened(6, 6);
    expect(await updateRelevance(db, 'rk-state')).toMatchObject({ kind: 'ranked', scored: 4 });
    // The worker's second source job and the digest after it find nothing new.
    expect(await updateRelevance(db, 'rk-state')).toEqual({ kind: 'unchanged' });

    await decide([relevant[0]!], 'exclude');
    expect(await updateRelevance(db, 'rk-state')).toMatchObject({ kind: 'ranked', scored: 3 });
    await stage(ctx, 'rk-state', [onTopic('Peer naloxone kits handed out at festivals')]);
    expect(await updateRelevance(db, 'rk-state')).toMatchObject({ kind: 'ranked', scored: 4 });
    // A decision whose transaction committed after a pass began, stamped earlier than the newest change.
    await db.update(works).set({ status: 'included', updatedAt: new Date('2000-01-01') }).where(eq(works.id, irrelevant[0]!));
    expect(await updateRelevance(db, 'rk-state')).toMatchObject({ kind: 'ranked', trained: { includes: 7, excludes: 7 } });
  });

  it(`below ${MIN_PER_CLASS} includes there is no model, relevance stays null and the order newest first`, async () => {
    const { db, reviewer, screened, relevance } = await setup('rk-few');
    const { relevant, irrelevant } = await screened(MIN_PER_CLASS - 1, 6);
    // A score left by an earlier model (before a decision was changed) is cleared, not followed.
    await db.update(works).set({ relevance: 0.9 }).where(eq(works.id, relevant[0]!));

    expect(await updateRelevance(db, 'rk-few')).toEqual({ kind: 'ranked', trained: { includes: MIN_PER_CLASS - 1, excludes: 6 }, scored: 0 });
    expect([...(await relevance([...relevant, ...irrelevant])).values()]).toEqual([null, null, null, null]);
    expect((await queueFor(db, reviewer)).records.map((w) => w.workId)).toEqual([...irrelevant, ...relevant]);
  });

  it('works the same on the embedded default (PGlite)', async () => {
    const { ctx, db, reviewer, screened } = await setup('rk-pglite', { DATABASE_URL: undefined });
    expect(ctx.database.kind).toBe('pglite');
    const { relevant } = await screened(6, 6);
    expect(await updateRelevance(db, 'rk-pglite')).toEqual({ kind: 'ranked', trained: { includes: 6, excludes: 6 }, scored: 4 });
    expect(new Set((await queueFor(db, reviewer)).records.slice(0, 2).map((w) => w.workId))).toEqual(new Set(relevant));
  });

  it("seeds (the original review's included studies) count as includes", async () => {
    const { ctx, db, decide } = await setup('rk-seeds');
    const seeds = INCLUDES.slice(0, MIN_PER_CLASS).map((title, i) => ({ record: { ...onTopic(title), source: 'protocol', sourceId: `seed-${i}` } }));
    await stageSeeds(db, 'rk-seeds', 'protocol', seeds);
    await decide(await stage(ctx, 'rk-seeds', EXCLUDES.slice(0, MIN_PER_CLASS).map(offTopic)), 'exclude');
    await stage(ctx, 'rk-seeds', LIKE_INCLUDES.map(onTopic));
    expect(await updateRelevance(db, 'rk-seeds')).toEqual({ kind: 'ranked', trained: { includes: MIN_PER_CLASS, excludes: MIN_PER_CLASS }, scored: 2 });
  });

  it('the update cycle ranks the candidates it staged; the digest ranks with decisions made since', async () => {
    const { ctx, db, decide, screened, relevance } = await setup('rk-cycle');
    // Four includes: no model yet after the cycle.
    const { relevant, irrelevant } = await screened(MIN_PER_CLASS - 1, 6);
    const fresh = [onTopic('Peer naloxone outreach in prisons'), offTopic('Knee arthroscopy waiting times')];
    const cycle = await runCycle({ db, protocol: ctx.protocols[0]!, sources: [fixedSource(fresh)], from: '2025-01-01', to: '2025-01-31', trigger: 'manual', log: ctx.log });
    expect(cycle.sources[0]!.status).toBe('ok');
    // In the order of `fresh` (on-topic first): a scan's row order is no promise.
    const rows = await db.select({ id: works.id, pmid: works.pmid }).from(works).where(inArray(works.pmid, fresh.map((f) => f.pmid!)));
    const staged = fresh.map((f) => rows.find((r) => r.pmid === f.pmid)?.id).filter((id) => id !== undefined);
    expect(staged).toHaveLength(2);
    expect([...(await relevance(staged)).values()]).toEqual([null, null]);

    // A fifth include arrives: the next cycle scores everything pending, fresh works included.
    await decide(await stage(ctx, 'rk-cycle', [onTopic(INCLUDES[MIN_PER_CLASS]!)]), 'include');
    await runCycle({ db, protocol: ctx.protocols[0]!, sources: [fixedSource([])], from: '2025-02-01', to: '2025-02-28', trigger: 'manual', log: ctx.log });
    const after = await relevance([...staged, ...relevant, ...irrelevant]);
    expect(after.get(staged[0]!)).toBeGreaterThan(after.get(staged[1]!)!);

    // Decisions after the cycle (the on-topic pending works excluded, an off-topic one included)
    // change the model: the digest retrains before listing, best-ranked first.
    await decide(relevant, 'exclude');
    await decide([irrelevant[0]!], 'include');
    const before = (await relevance([irrelevant[1]!])).get(irrelevant[1]!);
    const report = await runDigestOnce({ database: ctx.database, env: ctx.env, secret: TEST_SECRET, mailer: mailerFor(ctx.env), log: ctx.log }, ctx.protocols);
    expect(report.sent).toHaveLength(1);
    const listed = report.reviews[0]!.planned[0]!.workIds;
    const scores = await relevance(listed);
    expect(new Set(listed)).toEqual(new Set([irrelevant[1]!, ...staged]));
    expect(scores.get(irrelevant[1]!)).not.toBe(before);
    expect(listed.map((id) => scores.get(id)!)).toEqual(listed.map((id) => scores.get(id)!).sort((a, b) => b - a));
  });

  it('a ranking failure is logged and fails neither the cycle nor the digest, which keeps the old order', async () => {
    const { ctx, db, screened } = await setup('rk-fail');
    const { relevant, irrelevant } = await screened(6, 6);
    // Postgres itself refuses the write, as a broken connection or constraint would.
    await db.execute(sql`create function rk_refuse() returns trigger language plpgsql as $$
      begin if new.review_id = 'rk-fail' then raise exception 'relevance writes refused'; end if; return new; end $$`);
    await db.execute(sql`create trigger rk_refuse before update of relevance on works for each row execute function rk_refuse()`);
    const lines: string[] = [];
    const log = createLogger('info', {}, { pretty: false, destination: new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }) });

    const cycle = await runCycle({ db, protocol: ctx.protocols[0]!, sources: [fixedSource([])], from: '2025-01-01', to: '2025-01-31', trigger: 'manual', log });
    expect(cycle.sources[0]!.status).toBe('ok');
    const report = await runDigestOnce({ database: ctx.database, env: ctx.env, secret: TEST_SECRET, mailer: mailerFor(ctx.env), log }, ctx.protocols);
    expect(report.sent).toHaveLength(1);
    expect(report.reviews[0]!.planned[0]!.workIds).toEqual([...irrelevant, ...relevant]);
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'relevance ranking failed; order unchanged');
    expect(failures).toHaveLength(2);
    expect(failures[0].err).toMatch(/relevance writes refused/);
  });

  it('an import scores the works it staged, as a cycle does', async () => {
    const { ctx, db, screened, relevance } = await setup('rk-import');
    await screened(6, 6);
    expect((await updateRelevance(db, 'rk-import')).kind).toBe('ranked');
    const file = join(mkdtempSync(join(tmpdir(), 'lr-rank-')), 'embase.ris');
    writeFileSync(file, `TY  - JOUR\r\nTI  - Peer naloxone trainers in shelters\r\nAB  - ${ON_TOPIC}\r\nPY  - 2025\r\nER  - \r\n`);
    const r = await runCli(['import', file, '--source', 'embase'], { ...ctx.env });
    expect(r.code, r.stderr).toBe(0);
    const [imported] = await db.select({ id: works.id }).from(works).where(eq(works.title, 'Peer naloxone trainers in shelters'));
    expect((await relevance([imported!.id])).get(imported!.id)).not.toBeNull();
  });
});

/** A source that returns the given records in one batch, whatever the window. */
function fixedSource(records: SourceRecord[]): Source {
  return {
    name: 'pubmed',
    compileQuery: () => 'peer AND naloxone',
    search: async () => ({ identified: records.length, batches: (async function* () { if (records.length) yield records; })() }),
  };
}
