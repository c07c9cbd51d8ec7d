// One update cycle over several sources: a source that cannot even start fails alone.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbContext } from '../../src/context.js';
import { searchRuns } from '../../src/db/schema/index.js';
import { ConfigError, PermanentError } from '../../src/errors.js';
import { runCycle } from '../../src/runs/cycle.js';
import type { ApiSourceName, Source } from '../../src/sources/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, writeProtocol } from '../helpers/review.js';

/** A source that returns one record, or one whose strategy compiler refuses the protocol. */
function source(name: ApiSourceName, n: number | 'cannot compile'): Source {
  return {
    name,
    compileQuery: () => {
      if (n === 'cannot compile') throw new ConfigError(`strategy.limits.languages: no ${name} code for "klingon"`);
      return 'peer AND naloxone';
    },
    search: async () => ({ identified: 1, batches: (async function* () { yield [{ ...record(n as number), source: name }]; })() }),
  };
}

describe('a cycle whose source cannot start', () => {
  let t: TestDatabase;
  let ctx: DbContext;
  beforeAll(async () => {
    t = await createTestDatabase();
    ctx = await openReview(reviewEnv(t.url, writeProtocol({ id: 'cyc', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] })));
  });
  afterAll(async () => {
    await ctx.close();
    await t.drop();
  });

  it('fails that source alone, before or after the others, and reports every source', async () => {
    const protocol = ctx.protocols[0]!;
    const errors: [string, unknown][] = [];
    const cycle = (sources: Source[], window = { from: '2025-01-01', to: '2025-01-31' }) =>
      runCycle({ db: ctx.database.db, protocol, sources, ...window, trigger: 'cli', log: ctx.log, onSourceError: (s, err) => errors.push([s, err]) });
    for (const [sources, okSource] of [
      [[source('europepmc', 'cannot compile'), source('pubmed', 1)], 'pubmed'],
      [[source('pubmed', 2), source('europepmc', 'cannot compile')], 'pubmed'],
    ] as const) {
      const r = await cycle([...sources]);
      expect(r.sources.map((s) => [s.source, s.status])).toEqual(sources.map((s) => [s.name, s.name === okSource ? 'ok' : 'failed']));
      expect(r.sources.find((s) => s.status === 'failed')!.error).toBe('strategy.limits.languages: no europepmc code for "klingon"');
      expect(r.staged).toBe(1);
    }
    // The source that could not start logged no run; the other one logged one per cycle.
    const runs = await ctx.database.db.select({ source: searchRuns.source, status: searchRuns.status }).from(searchRuns).where(eq(searchRuns.reviewId, 'cyc'));
    expect(runs).toEqual([{ source: 'pubmed', status: 'ok' }, { source: 'pubmed', status: 'ok' }]);
    // The caller gets the errors themselves, permanent ones (a worker does not retry them) as such.
    const empty = await cycle([source('pubmed', 3)], { from: '2025-02-02', to: '2025-02-01' });
    expect(empty.sources[0]).toMatchObject({ status: 'failed', error: 'the window is empty: from 2025-02-02 is after to 2025-02-01' });
    expect(errors.map(([s, err]) => [s, err instanceof PermanentError])).toEqual([['europepmc', true], ['europepmc', true], ['pubmed', true]]);
  });
});
