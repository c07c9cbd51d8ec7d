// run --once --sources crossref end to end: the CLI in a child process, the real Crossref client
// against the HTTP fake, real Postgres.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { packageRoot } from '../../src/paths.js';
import { compileCrossref } from '../../src/strategy/compile/crossref.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { corpus, work } from '../fakes/crossref-corpus.js';
import { type FakeCrossref, startFakeCrossref } from '../fakes/crossref-server.js';

const QUERY = compileCrossref(loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml')).strategy);

describe('run --once --sources crossref against the Crossref fake', () => {
  let t: TestDatabase;
  let fake: FakeCrossref;
  // 30 matches and 20 loosely related records indexed in January, plus the review itself (a seed
  // of the shipped protocol): it matches the strategy but must not become a new candidate.
  const c = corpus({ matching: 30, loose: 20, from: '2021-01-01', to: '2021-01-30' });
  const review = work('10.3390/IJERPH182212073', '2021-01-31', "Peer Support and Overdose Prevention Responses: A Systematic 'State-of-the-Art' Review");
  beforeAll(async () => {
    t = await createTestDatabase();
    fake = await startFakeCrossref({ items: [...c.items, review] });
  });
  afterAll(async () => {
    await fake.close();
    await t.drop();
  });
  const env = () => ({ DATABASE_URL: t.url, CROSSREF_BASE_URL: fake.baseUrl, CONTACT_EMAIL: 'maintainer@example.org' });

  it('stages the records the strategy matches, once', async () => {
    const r = await runCli(['run', '--once', '--json', '--sources', 'crossref', '--from', '2021-01-01', '--to', '2021-01-31'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sources).toHaveLength(1);
    expect(out.sources[0]).toMatchObject({ source: 'crossref', status: 'ok', query: QUERY, from: '2021-01-01', to: '2021-01-31', identified: 31, fetched: 31, new: 30, duplicates: 1, error: null });
    expect(out.staged).toBe(30);
    expect(fake.log).toHaveLength(1); // 51 hits: one page of 200
    expect(fake.log.every((l) => l.params.mailto === 'maintainer@example.org' && l.params.filter!.startsWith('from-index-date:2021-01-01,until-index-date:2021-01-31,'))).toBe(true);

    const ids = await t.query<{ source_id: string }>(`select source_id from source_records where source = 'crossref' order by source_id`);
    expect(ids.map((x) => x.source_id)).toEqual([...c.matching, '10.3390/ijerph182212073'].sort());
    const [run] = await t.query<{ status: string; identified: number; warnings: string[] }>(`select status, identified, warnings from search_runs where source = 'crossref'`);
    expect(run).toMatchObject({ status: 'ok', identified: 31 });
    expect(run!.warnings).toEqual(['crossref 2021-01-01..2021-01-31: examined 51 records, 31 matched the strategy']);
  });

  it('a second run over an overlapping window stages nothing new', async () => {
    const before = await t.query(`select id, work_id, source_id from source_records order by id`);
    const r = await runCli(['run', '--once', '--json', '--sources', 'crossref', '--from', '2021-01-20', '--to', '2021-02-10'], env());
    expect(r.code, r.stderr).toBe(0);
    const src = JSON.parse(r.stdout).sources[0];
    expect(src.identified).toBeGreaterThan(0);
    expect(src).toMatchObject({ status: 'ok', new: 0, duplicates: src.identified, fetched: src.identified });
    expect(JSON.parse(r.stdout).staged).toBe(0);
    expect(await t.query(`select id, work_id, source_id from source_records order by id`)).toEqual(before);
  });
});
