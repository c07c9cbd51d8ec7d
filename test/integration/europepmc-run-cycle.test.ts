// run --once --sources europepmc end to end: the CLI in a child process, the real Europe PMC client
// (default 1 req/s limiter) against the HTTP fake, staging into a real Postgres database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceRecords, works } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { cloneEuropePmcCorpus, type FakeEuropePmc, type FakeEuropePmcRecord, startFakeEuropePmc } from '../fakes/europepmc-server.js';

const page = JSON.parse(readFileSync(join(packageRoot, 'test/fixtures/europepmc/handmade_core_page.json'), 'utf8'));
const TEMPLATES = (page.resultList.result as Record<string, unknown>[]).slice(0, 3);

/** N fresh works plus the review itself (a seed of the shipped protocol): it must not be staged. */
function corpus(n: number, from: string, to: string): FakeEuropePmcRecord[] {
  const records = cloneEuropePmcCorpus({ templates: TEMPLATES, n, from, to });
  // Its own title: a PMID and DOI on another paper's title are asked about, not linked.
  const seed = { ...TEMPLATES[0]!, id: '34831839', pmid: '34831839', doi: '10.3390/ijerph182212073', firstIndexDate: from, title: "Peer Support and Overdose Prevention Responses: A Systematic 'State-of-the-Art' Review" };
  return [...records, { firstIndexDate: from, result: seed }];
}

// 1,501 records staged by a child process at Europe PMC's 1 request a second: about 35 s on a
// loaded 2-core machine, so more than the default minute of headroom.
describe('run --once --sources europepmc against the Europe PMC fake', { timeout: 180_000 }, () => {
  let t: TestDatabase;
  let fake: FakeEuropePmc;
  const N = 1500;
  beforeAll(async () => {
    t = await createTestDatabase();
    fake = await startFakeEuropePmc({ records: corpus(N, '2021-01-01', '2021-01-31'), faults: { 2: { status: 500 } } });
  });
  afterAll(async () => {
    await fake.close();
    await t.drop();
  });
  const env = () => ({ DATABASE_URL: t.url, EUROPEPMC_BASE_URL: fake.baseUrl });
  const run = (from: string, to: string) => runCli(['run', '--once', '--json', '--sources', 'europepmc', '--from', from, '--to', to], env());
  const snapshot = async () => ({
    works: await t.database.db.select().from(works).orderBy(works.id),
    records: await t.database.db.select().from(sourceRecords).orderBy(sourceRecords.id),
  });

  it('stages every record of the window once, under source:id identifiers, through a 500', async () => {
    const r = await run('2021-01-01', '2021-01-31');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sources).toHaveLength(1);
    expect(out.sources[0]).toMatchObject({ source: 'europepmc', status: 'ok', from: '2021-01-01', to: '2021-01-31', identified: N + 1, fetched: N + 1, new: N, duplicates: 1, error: null });
    // The query reported is the one sent, window clause and all, to be pasted into Europe PMC as it is.
    expect(out.sources[0].query).toMatch(/^\(\(TITLE_ABS:peer OR TITLE_ABS:peers OR .* OR KW:Naloxone\) AND LANG:eng\) AND FIRST_IDATE:\[2021-01-01 TO 2021-01-31\]$/);
    expect(out.staged).toBe(N);
    expect(fake.log.map((l) => l.status)).toEqual([200, 500, 200]);
    expect(fake.log[0]!.params.query).toBe(out.sources[0].query);
    expect((await t.query<{ query: string }>(`select query from search_runs where source = 'europepmc'`))[0]!.query).toBe(out.sources[0].query);
    const bySource = await t.query<{ prefix: string; n: number }>(
      `select split_part(source_id, ':', 1) as prefix, count(*)::int as n from source_records where source = 'europepmc' group by 1 order by 1`,
    );
    expect(bySource).toEqual([{ prefix: 'MED', n: 501 }, { prefix: 'PMC', n: 500 }, { prefix: 'PPR', n: 500 }]);
    const preprints = await t.query<{ n: number }>(`select count(*)::int as n from works where status = 'pending' and doi like '10.1101/%'`);
    expect(preprints).toEqual([{ n: 500 }]);
  });

  it('stages nothing and changes no row over an overlapping window', async () => {
    const before = await snapshot();
    fake.log.length = 0;
    const r = await run('2021-01-20', '2021-02-10');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const overlap = corpus(N, '2021-01-01', '2021-01-31').filter((x) => x.firstIndexDate >= '2021-01-20').length;
    expect(overlap).toBeGreaterThan(400);
    expect(out.sources[0]).toMatchObject({ status: 'ok', identified: overlap, fetched: overlap, new: 0, duplicates: overlap });
    expect(out.staged).toBe(0);
    expect(fake.log[0]!.params.query).toMatch(/AND FIRST_IDATE:\[2021-01-20 TO 2021-02-10\]$/);
    expect(await snapshot()).toEqual(before);
  });
});
