// The update cycle end to end: the CLI in a child process, the real E-utilities client against the
// HTTP fake, real Postgres (and PGlite for the embedded default).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { finishRun } from '../../src/db/queries/runs.js';
import { searchRuns, sourceRecords, works } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import { ownRun } from '../../src/runs/ownership.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { startFakeEutils, type FakeEutils } from '../fakes/eutils-server.js';
import { cloneEuropePmcCorpus, startFakeEuropePmc } from '../fakes/europepmc-server.js';
import { cloneCorpus, extractArticles, type CorpusRecord } from '../fakes/pubmed-corpus.js';

const TEMPLATES = extractArticles(readFileSync(join(packageRoot, 'test/fixtures/pubmed/handmade_notice_markup_book.xml'), 'utf8'));

/** N fresh works plus the review itself (a seed of the shipped protocol): it must not be staged. */
function corpus(n: number, from: string, to: string, pmidBase = 40_000_000): CorpusRecord[] {
  const records = cloneCorpus({ templates: TEMPLATES, n, from, to, pmidBase });
  const seed = records[0]!.xml
    .replace(/(<PMID[^>]*>)\d+(<\/PMID>)/, '$134831839$2')
    .replace(/(<ArticleId IdType="doi">|<ELocationID EIdType="doi"[^>]*>)[^<]+/g, '$110.3390/ijerph182212073')
    // Its own title, and an article's type, not the template's notice: a PMID on another paper's
    // title, or on a notice, is asked about or linked as a notice, never merged.
    .replace(/<ArticleTitle>[\s\S]*?<\/ArticleTitle>/, "<ArticleTitle>Peer Support and Overdose Prevention Responses: A Systematic 'State-of-the-Art' Review</ArticleTitle>")
    .replace(/<PublicationType[^>]*>(?:Retraction of Publication|Expression of Concern)<\/PublicationType>/g, '')
    .replace(/<CommentsCorrectionsList>[\s\S]*?<\/CommentsCorrectionsList>/, '');
  return [...records, { pmid: '34831839', edat: from, xml: seed }];
}

function maxPerSecond(times: number[]): number {
  let max = 0;
  for (let lo = 0, hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= 1000) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('run --once against the E-utilities fake', () => {
  let t: TestDatabase;
  let fake: FakeEutils;
  const N = 1000;
  beforeAll(async () => {
    t = await createTestDatabase();
    fake = await startFakeEutils({ records: corpus(N, '2021-01-01', '2021-01-31'), failEvery: { n: 3, status: 500 }, rateLimitPerSecond: 3 });
  });
  afterAll(async () => {
    await fake.close();
    await t.drop();
  });
  const env = () => ({ DATABASE_URL: t.url, EUTILS_BASE_URL: fake.baseUrl });
  const snapshot = async () => ({
    works: await t.database.db.select().from(works).orderBy(works.id),
    records: await t.database.db.select().from(sourceRecords).orderBy(sourceRecords.id),
  });

  it('stages every record of the window once, through faults and NCBI rate limits', async () => {
    const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2021-01-01', '--to', '2021-01-31'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.review).toBe('peer-support-overdose');
    expect(out.sources).toHaveLength(1);
    expect(out.sources[0]).toMatchObject({ source: 'pubmed', status: 'ok', from: '2021-01-01', to: '2021-01-31', identified: N + 1, fetched: N + 1, new: N, duplicates: 1, error: null });
    expect(out.sources[0].query).toMatch(/^\(peer\[tiab\] OR .* AND english\[la\]$/);
    expect(out.staged).toBe(N);
    // Faults were served and retried, and no second ever saw more than 3 requests.
    expect(fake.log.some((l) => l.status === 500)).toBe(true);
    expect(maxPerSecond(fake.log.map((l) => l.t))).toBeLessThanOrEqual(3);
    expect(fake.log.filter((l) => l.status === 429)).toHaveLength(0);
  });

  it('exports the staged works as CSV, one row per work', async () => {
    const r = await runCli(['export', '--format', 'csv'], env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,title,authors,year,journal,doi,pmid,sources,status,first_seen,volume,issue,pages,pmcid,abstract,exclusion_reasons');
    expect(lines).toHaveLength(N + 1);
    expect(r.stdout).not.toContain('34831839');
    expect(lines.filter((l) => /,pubmed,pending,/.test(l))).toHaveLength(N);
  });

  it('stages nothing and changes no row when the same window runs again', async () => {
    const before = await snapshot();
    fake.log.length = 0;
    const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2021-01-01', '--to', '2021-01-31'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sources[0]).toMatchObject({ identified: N + 1, fetched: N + 1, new: 0, duplicates: N + 1 });
    expect(out.staged).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('starts the next window where the last successful one ended, minus the overlap, as status says', async () => {
    const status = await runCli(['status'], env());
    expect(status.stdout).toMatch(/^  pubmed: last run ok 2021-01-01\.\.2021-01-31 .*; next window starts 2021-01-24$/m);
    const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--to', '2021-02-15'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ from: '2021-01-24', to: '2021-02-15' });
  });

  it('does not skip the days a --from past the next start left out', async () => {
    const jump = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2021-03-01', '--to', '2021-03-10'], env());
    expect(jump.code, jump.stderr).toBe(0);
    // 16 to 28 February were never searched: the next window still starts before them.
    const status = await runCli(['status'], env());
    expect(status.stdout).toMatch(/^  pubmed: last run ok 2021-03-01\.\.2021-03-10 .*; next window starts 2021-02-08$/m);
    const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--to', '2021-03-12'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ from: '2021-02-08', to: '2021-03-12' });
  });
});

describe('run --once faults', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('reports an in-band esearch ERROR in the run row and on stderr, and exits non-zero', async () => {
    const fake = await startFakeEutils({ records: [], esearchError: 'Invalid query syntax near "AND AND"' });
    try {
      const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2021-01-01', '--to', '2021-01-02'], { DATABASE_URL: t.url, EUTILS_BASE_URL: fake.baseUrl });
      expect(r.code).toBe(1);
      const src = JSON.parse(r.stdout).sources[0];
      expect(src.status).toBe('failed');
      expect(src.error).toContain('Invalid query syntax near "AND AND"');
      expect(r.stderr).toMatch(/^living-review: pubmed failed: .*Invalid query syntax near "AND AND"/m);
      const rows = await t.database.db.execute(sql`select status, error from search_runs order by id desc limit 1`);
      expect((rows as unknown as { rows: { status: string; error: string }[] }).rows[0]).toMatchObject({ status: 'failed' });
    } finally {
      await fake.close();
    }
  });

  it('stages every record exactly once when killed mid-run and run again', async () => {
    const n = 600;
    const fake = await startFakeEutils({ records: corpus(n, '2022-03-01', '2022-03-31', 41_000_000) });
    const env = { DATABASE_URL: t.url, EUTILS_BASE_URL: fake.baseUrl, LOG_LEVEL: 'silent' };
    try {
      const child = spawnCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2022-03-01', '--to', '2022-03-31'], env, 'ignore');
      // Kill as soon as some batches are staged but not all.
      const count = async () => Number(((await t.database.db.execute(sql`select count(*)::int as n from source_records where source = 'pubmed'`)) as unknown as { rows: { n: number }[] }).rows[0]!.n);
      const deadline = Date.now() + 60_000;
      let staged = 0;
      while (Date.now() < deadline && (staged = await count()) === 0) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      expect(staged).toBeGreaterThan(0);
      expect(await count()).toBeLessThan(n + 1);

      const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2022-03-01', '--to', '2022-03-31'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).sources[0]).toMatchObject({ status: 'ok', identified: n + 1, fetched: n + 1 });
      const per = await t.database.db.execute(sql`
        select count(*)::int as records, count(distinct source_id)::int as ids, count(distinct work_id)::int as works
        from source_records where source = 'pubmed' and source_id::bigint between 41000000 and 41000599`);
      expect((per as unknown as { rows: unknown[] }).rows[0]).toEqual({ records: n, ids: n, works: n });
      // The rerun settled the killed run's row: failed, not a phantom 'running' run.
      const runs = await t.query<{ status: string; error: string | null }>(`select status, error from search_runs where window_from = '2022-03-01' order by id`);
      expect(runs.map((r) => r.status)).toEqual(['failed', 'ok']);
      expect(runs[0]!.error).toMatch(/^abandoned: the process running it stopped before finishing \(found by run --once at \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
      expect(await t.query(`select id from search_runs where status = 'running'`)).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('leaves a run of the same source alone while its process is alive', async () => {
    const fake = await startFakeEutils({ records: corpus(5, '2022-05-01', '2022-05-05', 41_100_000) });
    const run = { reviewId: 'peer-support-overdose', cycleId: 'elsewhere', source: 'pubmed', trigger: 'manual' as const, query: 'q', windowFrom: '2022-05-01', windowTo: '2022-05-05' };
    // A dead run (no process holds it) and a live one: this test process holds its lock, as a
    // worker in the middle of a search job does.
    const [dead] = await t.database.db.insert(searchRuns).values({ ...run, status: 'running' }).returning({ id: searchRuns.id });
    let release!: () => void;
    let started!: (id: number) => void;
    const liveId = new Promise<number>((r) => (started = r));
    const live = ownRun(t.database.db, run, async (db, id) => {
      started(id);
      await new Promise<void>((r) => (release = r));
      await finishRun(db, id, { status: 'ok', identified: 0, requests: 0, retries: 0, warnings: [], error: null });
    });
    try {
      const id = await liveId;
      const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2022-05-01', '--to', '2022-05-05'], { DATABASE_URL: t.url, EUTILS_BASE_URL: fake.baseUrl });
      expect(r.code, r.stderr).toBe(0);
      const rows = await t.query<{ id: number; status: string; error: string | null }>(`select id::int, status, error from search_runs where id = any($1) order by id`, [[dead!.id, id]]);
      expect(rows).toEqual([
        { id: dead!.id, status: 'failed', error: expect.stringMatching(/^abandoned: .*found by run --once/) },
        { id, status: 'running', error: null },
      ]);
      release();
      await live;
      expect(await t.query(`select status from search_runs where id = $1`, [id])).toEqual([{ status: 'ok' }]);
    } finally {
      release?.();
      await live.catch(() => {});
      await fake.close();
    }
  });

  it('fetches a window of more than 10,000 records completely', async () => {
    const n = 10_050;
    const fake = await startFakeEutils({ records: corpus(n, '2023-01-01', '2023-06-30', 42_000_000) });
    try {
      const r = await runCli(['run', '--once', '--json', '--sources', 'pubmed', '--from', '2023-01-01', '--to', '2023-06-30'], { DATABASE_URL: t.url, EUTILS_BASE_URL: fake.baseUrl, NCBI_API_KEY: 'test-key' });
      expect(r.code, r.stderr).toBe(0);
      const src = JSON.parse(r.stdout).sources[0];
      expect(src).toMatchObject({ status: 'ok', identified: n + 1, fetched: n + 1, new: n });
      // The window was split: no esearch history was paged past the 9,999 cap.
      const esearches = fake.log.filter((l) => l.path.endsWith('/esearch.fcgi'));
      expect(esearches.length).toBeGreaterThan(1);
      expect(fake.log.every((l) => Number(l.params.retstart ?? 0) < 9999)).toBe(true);
    } finally {
      await fake.close();
    }
  }, 180_000);
});

describe('run --once search warnings', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it("keeps the search's own warnings (PhraseNotFound) in the run row and shows them in the run's report", async () => {
    const fake = await startFakeEutils({ records: corpus(3, '2022-06-01', '2022-06-01'), phraseNotFound: 'peer navigatr*' });
    try {
      const r = await runCli(['run', '--once', '--sources', 'pubmed', '--from', '2022-06-01', '--to', '2022-06-01'], { DATABASE_URL: t.url, EUTILS_BASE_URL: fake.baseUrl });
      expect(r.code, r.stderr).toBe(0);
      const rows = await t.database.db.execute(sql`select warnings from search_runs order by id desc limit 1`);
      expect((rows as unknown as { rows: { warnings: string[] }[] }).rows[0]!.warnings).toContain('PhraseNotFound: peer navigatr*');
      expect(r.stdout).toMatch(/^pubmed 2022-06-01\.\.2022-06-01: ok, .*\n  warning: PhraseNotFound: peer navigatr\*\n/m);
    } finally {
      await fake.close();
    }
  });
});

describe('run --once on the embedded default (PGlite)', () => {
  it("runs the shipped review's default sources (PubMed, Europe PMC) and exports with no database server", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lr-embedded-'));
    // One PubMed record is a paper the shipped protocol lists as known relevant.
    const records = corpus(15, '2021-05-01', '2021-05-10', 43_000_000);
    records[1] = { ...records[1]!, pmid: '33573661', xml: records[1]!.xml.replaceAll(records[1]!.pmid, '33573661') };
    const fake = await startFakeEutils({ records });
    // Europe PMC: three works PubMed lacks, and the review itself again (a seed: not staged).
    const epmcTemplates = (JSON.parse(readFileSync(join(packageRoot, 'test/fixtures/europepmc/handmade_core_page.json'), 'utf8')).resultList.result as Record<string, unknown>[]).slice(0, 3);
    const review = { ...epmcTemplates[0]!, id: '34831839', pmid: '34831839', doi: '10.3390/ijerph182212073', firstIndexDate: '2021-05-02', title: "Peer Support and Overdose Prevention Responses: A Systematic 'State-of-the-Art' Review" };
    const epmc = await startFakeEuropePmc({
      records: [...cloneEuropePmcCorpus({ templates: epmcTemplates, n: 3, from: '2021-05-01', to: '2021-05-10', idBase: 44_000_000 }), { firstIndexDate: '2021-05-02', result: review }],
    });
    try {
      const env = { DATABASE_URL: undefined, LR_DATA_DIR: dataDir, EUTILS_BASE_URL: fake.baseUrl, EUROPEPMC_BASE_URL: epmc.baseUrl };
      const r = await runCli(['run', '--once', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      const [pubmed, europepmc] = JSON.parse(r.stdout).sources;
      expect(pubmed).toMatchObject({ source: 'pubmed', from: '2020-10-01', identified: 16, fetched: 16, new: 15, duplicates: 1 });
      expect(europepmc).toMatchObject({ source: 'europepmc', status: 'ok', from: '2020-10-01', identified: 4, fetched: 4, new: 3, duplicates: 1 });
      const csv = await runCli(['export', '--format', 'csv', '--status', 'pending'], env);
      expect(csv.stdout.trimEnd().split('\r\n')).toHaveLength(1 + 15 + 3);
      const status = await runCli(['status', '--json'], env);
      const recall = JSON.parse(status.stdout).recall;
      expect(recall.known).toBe(6);
      expect(recall.found).toEqual([expect.objectContaining({ pmid: '33573661', status: 'pending' })]);
      expect(recall.missing.map((k: { pmid?: string; doi?: string }) => k.pmid ?? k.doi)).toEqual(['33418149', '34090473', '35943744', '34738277', '10.1186/s12954-022-00599-4']);
      const text = await runCli(['status'], env);
      expect(text.stdout).toContain('known relevant papers found: 1 of 6');
      expect(text.stdout).toMatch(/not found: PMID 34090473 \(Greer A et al\./);

      // A run left 'running' by a process that was killed is settled by the next run --once.
      let database = await openDatabase({ dataDir });
      const [stale] = await database.db
        .insert(searchRuns)
        .values({ reviewId: 'peer-support-overdose', cycleId: 'killed', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2021-05-01', windowTo: '2021-05-10', status: 'running' })
        .returning({ id: searchRuns.id });
      await database.close();
      const again = await runCli(['run', '--once', '--json'], env);
      expect(again.code, again.stderr).toBe(0);
      database = await openDatabase({ dataDir });
      try {
        const runs = await database.db.select().from(searchRuns).orderBy(searchRuns.id);
        expect(runs.filter((x) => x.status === 'running')).toEqual([]);
        expect(runs.find((x) => x.id === stale!.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned: .*found by run --once/) });
      } finally {
        await database.close();
      }
    } finally {
      await fake.close();
      await epmc.close();
    }
  });
});
