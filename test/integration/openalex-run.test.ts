// run --once --sources openalex end to end: the CLI in a child process, the real OpenAlex client
// against the HTTP fake (with faults), real Postgres.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceRecords, works } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { cloneWorks, type FakeOpenAlex, startFakeOpenAlex, type Work } from '../fakes/openalex-server.js';

const TEMPLATES = (JSON.parse(readFileSync(join(packageRoot, 'test/fixtures/openalex/handmade_works_page.json'), 'utf8')).results as Work[]).filter((w) => w.id);

/** The shipped protocol's review itself, as OpenAlex would hold it: a seed, never staged. */
const SEED: Work = {
  ...TEMPLATES[0]!,
  id: 'https://openalex.org/W3214056789',
  doi: 'https://doi.org/10.3390/ijerph182212073',
  ids: { openalex: 'https://openalex.org/W3214056789', doi: 'https://doi.org/10.3390/ijerph182212073', pmid: 'https://pubmed.ncbi.nlm.nih.gov/34831839' },
  title: "Peer Support and Overdose Prevention Responses: A Systematic 'State-of-the-Art' Review",
  display_name: "Peer Support and Overdose Prevention Responses: A Systematic 'State-of-the-Art' Review",
  created_date: '2021-01-10',
};

describe('run --once --sources openalex against the OpenAlex fake', () => {
  let t: TestDatabase;
  let fake: FakeOpenAlex;
  // 300 copies of 6 templates: 250 match the strategy, 50 ("Peering into ...") do not
  const N = 300;
  const MATCHING = 250;
  beforeAll(async () => {
    t = await createTestDatabase();
    fake = await startFakeOpenAlex({
      works: [...cloneWorks({ templates: TEMPLATES, n: N, from: '2021-01-01', to: '2021-01-31' }), SEED],
      requireKey: 'oa-test-key',
      failEvery: { n: 3, status: 500 },
    });
  });
  afterAll(async () => {
    await fake?.close();
    await t?.drop();
  });
  const env = () => ({ DATABASE_URL: t.url, OPENALEX_BASE_URL: fake.baseUrl, OPENALEX_API_KEY: 'oa-test-key', CONTACT_EMAIL: 'maintainer@example.org' });
  const snapshot = async () => ({
    works: await t.database.db.select().from(works).orderBy(works.id),
    records: await t.database.db.select().from(sourceRecords).orderBy(sourceRecords.id),
  });
  const run = (from: string, to: string) => runCli(['run', '--once', '--json', '--sources', 'openalex', '--from', from, '--to', to], env());

  it('stages every work of the window that the strategy matches, once, through server faults', async () => {
    const r = await run('2021-01-01', '2021-01-31');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sources).toHaveLength(1);
    expect(out.sources[0]).toMatchObject({ source: 'openalex', status: 'ok', from: '2021-01-01', to: '2021-01-31', identified: MATCHING + 1, fetched: MATCHING + 1, new: MATCHING, duplicates: 1, error: null });
    expect(out.sources[0].query).toMatch(/^title_and_abstract\.search:\(peer OR peers OR .*,language:en$/);
    expect(out.staged).toBe(MATCHING);
    expect(fake.log.some((l) => l.status === 500)).toBe(true);
    expect(fake.log.every((l) => l.params.api_key === 'oa-test-key' && l.params.mailto === 'maintainer@example.org')).toBe(true);
    expect(fake.log[0]!.params.filter).toBe(`from_created_date:2021-01-01,to_created_date:2021-01-31,${out.sources[0].query}`);

    const staged = await t.query<{ n: number }>(`select count(*)::int as n from source_records where source = 'openalex'`);
    expect(staged).toEqual([{ n: MATCHING + 1 }]);
    expect(await t.query(`select count(*)::int as n from source_records where source = 'openalex' and record->>'title' like 'Peering%'`)).toEqual([{ n: 0 }]);
    const [row] = await t.query<{ warnings: string[]; identified: number }>(`select warnings, identified::int from search_runs where source = 'openalex' order by id desc limit 1`);
    expect(row!.identified).toBe(MATCHING + 1);
    expect(row!.warnings).toContain(`${N - MATCHING} of ${N + 1} works OpenAlex returned do not match the strategy (OpenAlex stems words and matches truncated phrases as separate words) and were dropped`);
  });

  it('a second run over an overlapping window stages nothing new and changes no row', async () => {
    const before = await snapshot();
    const r = await run('2021-01-20', '2021-02-10');
    expect(r.code, r.stderr).toBe(0);
    const src = JSON.parse(r.stdout).sources[0];
    expect(src.status).toBe('ok');
    expect(src.identified).toBeGreaterThan(0);
    expect(src).toMatchObject({ new: 0, duplicates: src.identified, fetched: src.identified });
    expect(JSON.parse(r.stdout).staged).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it("sends the protocol's own OpenAlex query as it is and keeps what it returns, saying the strategy was not checked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lr-openalex-'));
    const shipped = readFileSync(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'), 'utf8');
    const file = join(dir, 'review.yaml');
    writeFileSync(file, shipped.replace('  openalex: { enabled: false }', "  openalex: { enabled: true, query: 'title.search:peer' }"));
    const r = await runCli(['run', '--once', '--json', '--sources', 'openalex', '--from', '2021-01-03', '--to', '2021-01-03'], { ...env(), REVIEW_CONFIG: file });
    expect(r.code, r.stderr).toBe(0);
    const src = JSON.parse(r.stdout).sources[0];
    expect(src.query).toBe('title.search:peer');
    expect(fake.log.at(-1)!.params.filter).toBe('from_created_date:2021-01-03,to_created_date:2021-01-03,title.search:peer');
    const [row] = await t.query<{ warnings: string[] }>(`select warnings from search_runs where source = 'openalex' order by id desc limit 1`);
    expect(row!.warnings).toContain("the protocol's own OpenAlex query was sent; records were not checked against the strategy");
  });

  it('fails the source with OpenAlex\'s 401 message when the key is missing, and exits non-zero', async () => {
    const r = await runCli(['run', '--once', '--json', '--sources', 'openalex', '--from', '2021-01-01', '--to', '2021-01-02'], { ...env(), OPENALEX_API_KEY: '' });
    expect(r.code).toBe(1);
    const src = JSON.parse(r.stdout).sources[0];
    expect(src).toMatchObject({ source: 'openalex', status: 'failed' });
    expect(src.error).toMatch(/openalex works HTTP 401 from 127\.0\.0\.1:\d+: .*Invalid or missing API key/);
  });
});
