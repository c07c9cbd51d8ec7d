// An edited search strategy searched over the whole update period: the CLI in a child process, the
// real E-utilities client against the HTTP fake, real Postgres.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRuns, works } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import { addDays, isoDay } from '../../src/runs/window.js';
import { startFakeEutils, type FakeEutils } from '../fakes/eutils-server.js';
import { cloneCorpus, extractArticles } from '../fakes/pubmed-corpus.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { reviewEnv, writeProtocol } from '../helpers/review.js';

const TEMPLATES = extractArticles(readFileSync(join(packageRoot, 'test/fixtures/pubmed/handmade_notice_markup_book.xml'), 'utf8'));
const UPDATE_FROM = '2020-10-01';
/** Entered in 2023: only a strategy with the new synonym finds it. */
const OLD_PAPER = '40000002';
/** Where a window that goes on from a search ending today starts, at the earliest (the overlap is 7 days). */
const RECENT = addDays(isoDay(new Date()), -10);

describe('a strategy edited between runs', () => {
  let t: TestDatabase;
  let fake: FakeEutils;
  let file: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    const records = [
      ...cloneCorpus({ templates: TEMPLATES, n: 2, from: '2021-03-10', to: '2022-05-10' }),
      ...cloneCorpus({ templates: TEMPLATES, n: 1, from: '2023-07-10', to: '2023-07-10', pmidBase: Number(OLD_PAPER) }),
    ];
    fake = await startFakeEutils({ records, foundBy: { [OLD_PAPER]: 'community health worker' } });
    file = writeProtocol({ id: 'edited', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] });
    editProtocol((p) => {
      p.update_from = UPDATE_FROM;
      p.sources = { pubmed: { enabled: true }, europepmc: { enabled: false } };
    });
  });
  afterAll(async () => {
    await fake.close();
    await t.drop();
  });
  const env = () => reviewEnv(t.url, file, { EUTILS_BASE_URL: fake.baseUrl });
  function editProtocol(edit: (p: Record<string, any>) => void): void {
    const p = parse(readFileSync(file, 'utf8'));
    edit(p);
    writeFileSync(file, stringify(p));
  }
  async function run(...args: string[]) {
    const r = await runCli(['run', '--once', '--json', ...args], env());
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).sources[0];
  }
  /** The run's notes on the strategy, apart from those on single records (the templates' ORCIDs). */
  const strategyNotes = (r: { warnings: string[] }) => r.warnings.filter((w) => w.startsWith('strategy'));
  async function status() {
    const json = await runCli(['status', '--json'], env());
    expect(json.code, json.stderr).toBe(0);
    const text = await runCli(['status'], env());
    expect(text.code, text.stderr).toBe(0);
    return { json: JSON.parse(json.stdout).sources[0], line: text.stdout.split('\n').find((l) => l.startsWith('  pubmed:')) };
  }

  it('searches from update_from the first time, then on from where it ended, with one fingerprint for both windows', async () => {
    const first = await run();
    expect(first).toMatchObject({ status: 'ok', from: UPDATE_FROM, new: 2 });
    expect(strategyNotes(first)).toEqual([]);
    const second = await run();
    expect(second.from > RECENT).toBe(true);
    expect(second).toMatchObject({ status: 'ok', new: 0 });
    expect(strategyNotes(second)).toEqual([]);
    const runs = await t.database.db.select().from(searchRuns).orderBy(asc(searchRuns.id));
    expect(runs.map((r) => r.strategyFingerprint)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/), runs[0]!.strategyFingerprint]);
    expect((await status()).json.strategyChanged).toBe(false);
  });

  it('says why the next window starts at update_from once a synonym is added', async () => {
    editProtocol((p) => p.strategy.blocks[0].terms.push('community health worker*'));
    const { json, line } = await status();
    expect(json).toMatchObject({ strategyChanged: true, nextWindowFrom: UPDATE_FROM });
    expect(line).toContain(`; strategy changed since the last search: next window starts ${UPDATE_FROM}`);
  });

  it('lets a --from win, and leaves the days before it to the next run without --from', async () => {
    const recent = await run('--from', RECENT);
    expect(recent).toMatchObject({ status: 'ok', from: RECENT, new: 0 });
    expect(strategyNotes(recent)).toEqual([
      `strategy changed since the last search: this window starts ${RECENT} (--from): the next window without --from starts ${UPDATE_FROM} again`,
    ]);
    expect((await status()).json).toMatchObject({ strategyChanged: true, nextWindowFrom: UPDATE_FROM });
  });

  it('searches the whole update period again and stages the old paper only the new term finds, once', async () => {
    const again = await run();
    expect(again).toMatchObject({ status: 'ok', from: UPDATE_FROM, identified: 3, new: 1, duplicates: 2 });
    expect(strategyNotes(again)).toEqual([`strategy changed since the last search: this window starts ${UPDATE_FROM}`]);
    expect(again.warnings[0]).toBe(strategyNotes(again)[0]);
    expect(again.query).toContain('"community health worker*"[tiab]');
    const staged = await t.database.db.select().from(works).where(eq(works.reviewId, 'edited'));
    expect(staged.filter((w) => w.pmid === OLD_PAPER)).toHaveLength(1);
    expect(staged).toHaveLength(3);

    // Searched with the new strategy: the next run goes on from where this one ended, and says nothing.
    const next = await run();
    expect(next.from > RECENT).toBe(true);
    expect(next).toMatchObject({ status: 'ok', new: 0 });
    expect(strategyNotes(next)).toEqual([]);
    const { json, line } = await status();
    expect(json).toMatchObject({ strategyChanged: false, nextWindowFrom: next.from });
    expect(line).not.toContain('strategy changed');
  });
});
