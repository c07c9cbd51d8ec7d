import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { PermanentError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import type { SourceRecord } from '../../src/records/types.js';
import { createRateLimiter } from '../../src/sources/http/rate-limiter.js';
import { createCrossrefSource, type CrossrefSourceOptions } from '../../src/sources/crossref/source.js';
import { compileCrossref } from '../../src/strategy/compile/crossref.js';
import type { SearchProgress } from '../../src/sources/types.js';
import { corpus, work } from '../fakes/crossref-corpus.js';
import { type CrossrefItem, type FakeCrossref, type FakeCrossrefOptions, startFakeCrossref } from '../fakes/crossref-server.js';
import { maxInWindow } from '../helpers/windows.js';

const strategy = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml')).strategy;
const QUERY = compileCrossref(strategy);
const WINDOW = { from: '2024-01-01', to: '2024-01-31' };
const FAST = { rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }), retry: { baseDelayMs: 5, maxDelayMs: 50 } };

let fake: FakeCrossref | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(items: CrossrefItem[], fakeOpts: Omit<FakeCrossrefOptions, 'items'> = {}, sourceOpts: Partial<CrossrefSourceOptions> = {}) {
  fake = await startFakeCrossref({ items, ...fakeOpts });
  const source = createCrossrefSource({ baseUrl: fake.baseUrl, mailto: 'maintainer@example.org', rows: 10, ...FAST, ...sourceOpts });
  return { source, fake };
}

async function drain(batches: AsyncIterable<SourceRecord[]>): Promise<SourceRecord[][]> {
  const out: SourceRecord[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('Crossref source against the fake /works server', () => {
  it('pages to the short last page and yields only what the strategy matches, counted as identified', async () => {
    const c = corpus({ matching: 25, loose: 30, unrelated: 10, ...WINDOW });
    const outside = corpus({ matching: 5, loose: 0, from: '2024-02-01', to: '2024-02-05', prefix: '10.5555/feb' });
    const { source, fake } = await setup([...c.items, ...outside.items]);
    const progress: SearchProgress[] = [];
    const search = await source.search({ query: QUERY, window: WINDOW, strategy, onProgress: (p) => progress.push(p) });
    expect(search.identified).toBe(0); // counted as pages are read
    const batches = await drain(search.batches);
    expect(batches.flat().map((r) => r.sourceId).sort()).toEqual([...c.matching].sort());
    expect(search.identified).toBe(25);
    // 55 hits (matching + loose; the unrelated share no word): pages of 10, the sixth has 5 and ends it
    expect(fake.log.map((l) => l.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(progress.at(-1)).toMatchObject({ identified: 25, requests: 6, retries: 0 });
    expect(search.warnings).toEqual(['crossref 2024-01-01..2024-01-31: examined 55 records, 25 matched the strategy']);
  });

  it('sends the query, the index-date window and type filters, rows, mailto and the (URL-encoded) constant cursor', async () => {
    const { source, fake } = await setup(corpus({ matching: 12, loose: 0, ...WINDOW }).items);
    await drain((await source.search({ query: QUERY, window: WINDOW, strategy })).batches);
    const [first, second] = fake.log;
    expect(first!.params).toEqual({
      query: QUERY,
      filter: 'from-index-date:2024-01-01,until-index-date:2024-01-31,type:journal-article,type:posted-content,type:proceedings-article,type:report',
      rows: '10',
      cursor: '*',
      mailto: 'maintainer@example.org',
    });
    expect(first!.userAgent).toBe('living-review (mailto:maintainer@example.org)');
    expect(second!.params.cursor).toBe('DnF1ZXJ5+VGhlbkZldGNo/1==');
    expect(fake.log).toHaveLength(2);
  });

  it('refuses a query longer than a request line holds, naming its length, before asking Crossref', async () => {
    const { source, fake } = await setup(corpus({ matching: 1, loose: 0, ...WINDOW }).items);
    const long = Array.from({ length: 400 }, (_, i) => `overdose${i}`).join(' ');
    await expect(source.search({ query: long, window: WINDOW, strategy })).rejects.toThrow(/^crossref works: the request would be \d{4} bytes of URL, over the 4000 127\.0\.0\.1:\d+ accepts; shorten the strategy/);
    expect(fake.log).toEqual([]);
  });

  it('a full last page is followed by one empty page, which ends the scan', async () => {
    const { source, fake } = await setup(corpus({ matching: 20, loose: 0, ...WINDOW }).items);
    const search = await source.search({ query: QUERY, window: WINDOW, strategy });
    expect((await drain(search.batches)).map((b) => b.length)).toEqual([10, 10]);
    expect(fake.log).toHaveLength(3);
  });

  it('stops at maxScanned with a warning that the window was not fully scanned', async () => {
    const c = corpus({ matching: 25, loose: 30, ...WINDOW });
    const { source, fake } = await setup(c.items, {}, { maxScanned: 20 });
    const search = await source.search({ query: QUERY, window: WINDOW, strategy });
    const got = (await drain(search.batches)).flat();
    expect(fake.log).toHaveLength(2);
    // relevance order: records sharing words with both concepts come first, so the 20 examined
    // are all matches and what is left unread is mostly loosely related
    expect(got).toHaveLength(20);
    expect(search.identified).toBe(20);
    expect(search.warnings).toEqual([
      'crossref 2024-01-01..2024-01-31: stopped after examining 20 of 55 records the query ranked (maxScanned 20); the window was not fully scanned, the least relevant records were not examined',
      'crossref 2024-01-01..2024-01-31: examined 20 records, 20 matched the strategy',
    ]);
  });

  it('retries a 500 and a 429 (after its Retry-After) and still yields every match once', async () => {
    const c = corpus({ matching: 30, loose: 0, ...WINDOW });
    const { source, fake: failing } = await setup(c.items, { failEvery: { n: 3, status: 500 } });
    const got = (await drain((await source.search({ query: QUERY, window: WINDOW, strategy })).batches)).flat();
    expect(got.map((r) => r.sourceId).sort()).toEqual([...c.matching].sort());
    expect(failing.log.filter((l) => l.status === 500).length).toBeGreaterThan(0);
    await failing.close();

    fake = await startFakeCrossref({ items: c.items, failEvery: { n: 2, status: 429, retryAfter: '1' } });
    const limited = createCrossrefSource({ baseUrl: fake.baseUrl, rows: 10, ...FAST });
    const progress: SearchProgress[] = [];
    const again = (await drain((await limited.search({ query: QUERY, window: WINDOW, strategy, onProgress: (p) => progress.push(p) })).batches)).flat();
    expect(again).toHaveLength(30);
    const [ok, tooMany, retried] = fake.log;
    expect([ok!.status, tooMany!.status, retried!.status]).toEqual([200, 429, 200]);
    expect(fake.log.filter((l) => l.status === 200)).toHaveLength(4);
    expect(retried!.t - tooMany!.t).toBeGreaterThanOrEqual(990);
    expect(progress.at(-1)!.retries).toBeGreaterThan(0);
    expect(fake.log[0]!.params.mailto).toBeUndefined();
    expect(fake.log[0]!.userAgent).toBe('living-review');
  });

  it('a 400 validation-failure fails at once, not retried, naming Crossref\'s complaint', async () => {
    const { source, fake } = await setup(corpus({ matching: 3, loose: 0, ...WINDOW }).items, {}, { types: ['journal-article', 'bogus-type'] });
    fake.log.length = 0;
    const err = await source.search({ query: QUERY, window: WINDOW, strategy }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message.replace(/ from 127\.0\.0\.1:\d+:/, ':')).toBe(
      "crossref works HTTP 400: validation-failure: filter-not-available (type:bogus-type): Type 'bogus-type' is not a Crossref type id.",
    );
    expect(fake.log).toHaveLength(1);
  });

  it('a cursor that expired mid-scan fails with a clear message', async () => {
    const { source } = await setup(corpus({ matching: 25, loose: 0, ...WINDOW }).items, { cursorPages: 1 });
    const search = await source.search({ query: QUERY, window: WINDOW, strategy });
    const err = await drain(search.batches).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message.replace(/ from 127\.0\.0\.1:\d+:/, ':')).toBe(
      'crossref works HTTP 404: resource-failure: cursor-invalid (DnF1ZXJ5+VGhlbkZldGNo/1==): Cursor specified but it is invalid - the scan took too long between pages; run the window again',
    );
  });

  it('zero hits: one request, no batch, identified 0', async () => {
    const { source, fake } = await setup(corpus({ matching: 0, loose: 0, unrelated: 5, ...WINDOW }).items);
    const search = await source.search({ query: QUERY, window: WINDOW, strategy });
    expect(await drain(search.batches)).toEqual([]);
    expect(search.identified).toBe(0);
    expect(fake.log).toHaveLength(1);
    expect(search.warnings).toEqual(['crossref 2024-01-01..2024-01-31: examined 0 records, 0 matched the strategy']);
  });

  it('an erratum with update-to is kept, flagged and related to the corrected article', async () => {
    const erratum = work('10.5555/HRJ.E1', '2024-01-10', 'Erratum to: Peer-delivered naloxone programme number 3', {
      'update-to': [{ DOI: '10.5555/lr.m3', type: 'correction', label: 'Correction', source: 'publisher', updated: { 'date-parts': [[2024, 1, 9]] } }],
    });
    const { source } = await setup([...corpus({ matching: 4, loose: 2, ...WINDOW }).items, erratum]);
    const got = (await drain((await source.search({ query: QUERY, window: WINDOW, strategy })).batches)).flat();
    const e = got.find((r) => r.sourceId === '10.5555/hrj.e1')!;
    expect(e.flags).toMatchObject({ erratum: true, retracted: false, retractionNotice: false });
    expect(e.relations).toEqual([{ type: 'erratum-for', doi: '10.5555/lr.m3', note: 'correction (publisher)' }]);
  });

  it('a protocol query override is sent as it is, and the strategy still decides what is kept', async () => {
    const c = corpus({ matching: 6, loose: 6, ...WINDOW });
    const { source, fake } = await setup(c.items);
    const search = await source.search({ query: 'naloxone', window: WINDOW, strategy });
    const got = (await drain(search.batches)).flat();
    expect(fake.log[0]!.params.query).toBe('naloxone');
    // the query finds naloxone records of both kinds; only the peer ones match the strategy
    expect(got.map((r) => r.sourceId).sort()).toEqual(c.matching.filter((_, i) => i % 2 === 0).sort());
  });

  it("sends the strategy's publication years as pub-date filters, so old records re-indexed in the window are not scanned", async () => {
    const c = corpus({ matching: 6, loose: 0, ...WINDOW });
    const old = [1, 2, 3].map((i) => work(`10.5555/old.${i}`, '2024-01-10', `Peer-delivered naloxone in 199${i}`, { issued: { 'date-parts': [[1990 + i]] } }));
    const { source, fake } = await setup([...c.items, ...old]);
    const limited = { ...strategy, limits: { ...strategy.limits, years: { from: 2000, to: 2030 } } };
    const search = await source.search({ query: QUERY, window: WINDOW, strategy: limited });
    expect((await drain(search.batches)).flat().map((r) => r.sourceId).sort()).toEqual([...c.matching].sort());
    expect(fake.log[0]!.params.filter).toBe('from-index-date:2024-01-01,until-index-date:2024-01-31,type:journal-article,type:posted-content,type:proceedings-article,type:report,from-pub-date:2000,until-pub-date:2030');
    expect(search.warnings.at(-1)).toBe('crossref 2024-01-01..2024-01-31: examined 6 records, 6 matched the strategy');
  });

  it("leaves out what the strategy's not blocks hold, and says a heading there cannot leave out a Crossref record", async () => {
    const c = corpus({ matching: 8, loose: 0, ...WINDOW });
    const { source, fake } = await setup(c.items);
    const not = [{ name: 'community', terms: [{ text: 'community programme*', field: 'title' as const }], mesh: ['Rats'] }];
    const search = await source.search({ query: QUERY, window: WINDOW, strategy: { ...strategy, not } });
    // the odd items are titled "Community programme i"
    expect((await drain(search.batches)).flat().map((r) => r.sourceId).sort()).toEqual(c.matching.filter((_, i) => i % 2 === 0).sort());
    expect(fake.log[0]!.params.query).toBe(QUERY);
    expect(search.warnings[0]).toBe('crossref: the MeSH headings of not block "community" leave out no Crossref record, which carries none');
  });

  it('refuses to search without the strategy it evaluates locally', async () => {
    const { source } = await setup([]);
    await expect(source.search({ query: QUERY, window: WINDOW })).rejects.toThrow(/needs the protocol strategy/);
  });

  it('by default starts no more than 3 requests in any second', async () => {
    const { source, fake } = await setup(corpus({ matching: 75, loose: 0, ...WINDOW }).items, {}, { rateLimiter: undefined });
    await drain((await source.search({ query: QUERY, window: WINDOW, strategy })).batches);
    expect(fake.log).toHaveLength(8);
    expect(maxInWindow(fake.log.map((l) => l.t))).toBeLessThanOrEqual(3);
  }, 20_000);
});
