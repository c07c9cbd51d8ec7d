import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { PermanentError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import type { SourceRecord } from '../../src/records/types.js';
import { createRateLimiter } from '../../src/sources/http/rate-limiter.js';
import { OpenAlexClient, type OpenAlexClientOptions } from '../../src/sources/openalex/client.js';
import { createOpenAlexSource } from '../../src/sources/openalex/source.js';
import type { SearchProgress } from '../../src/sources/types.js';
import { cloneWorks, type FakeOpenAlex, type FakeOpenAlexOptions, startFakeOpenAlex, type Work } from '../fakes/openalex-server.js';

// the committed hand-made page, so these tests run without ../shared; the id-less result is not a template
const TEMPLATES = (JSON.parse(readFileSync(join(packageRoot, 'test/fixtures/openalex/handmade_works_page.json'), 'utf8')).results as Work[]).filter((w) => w.id);
const STRATEGY = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml')).strategy;
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 50 };
const JAN = { from: '2024-01-01', to: '2024-01-31' };
const QUERY = 'title_and_abstract.search:(naloxone OR "peer support")';

let fake: FakeOpenAlex | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(works: Work[], fakeOpts: Omit<FakeOpenAlexOptions, 'works'> = {}, clientOpts: Partial<OpenAlexClientOptions> = {}) {
  fake = await startFakeOpenAlex({ works, ...fakeOpts });
  const opts = { baseUrl: fake.baseUrl, apiKey: 'test-key', mailto: 'review@example.org', rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }), retry: FAST_RETRY, ...clientOpts };
  return { client: new OpenAlexClient(opts), fake, opts };
}

async function drain(batches: AsyncIterable<SourceRecord[]>): Promise<SourceRecord[][]> {
  const out: SourceRecord[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('OpenAlexClient against the fake OpenAlex server', () => {
  it('refuses a filter longer than a request line holds, naming its length, before asking OpenAlex', async () => {
    const { client, fake } = await setup([]);
    const terms = Array.from({ length: 300 }, (_, i) => `"peer naloxone ${i}"`).join(' OR ');
    await expect(client.search({ filter: `title_and_abstract.search:(${terms})`, window: JAN })).rejects.toThrow(/^openalex works: the request would be \d{4,5} bytes of URL, over the 4000 127\.0\.0\.1:\d+ accepts/);
    expect(fake.log).toEqual([]);
  });

  it('pages the created-date window to the end: identified = fetched = N, one batch per page, window, filters, key and mailto sent', async () => {
    const jan = cloneWorks({ templates: TEMPLATES, n: 250, ...JAN });
    const feb = cloneWorks({ templates: TEMPLATES, n: 30, from: '2024-02-01', to: '2024-02-10', idBase: 7_200_000_000 });
    const { client, fake } = await setup([...jan, ...feb]);
    const progress: SearchProgress[] = [];
    const search = await client.search({ filter: `${QUERY},language:en`, window: JAN, onProgress: (p) => progress.push(p) });
    expect(search.identified).toBe(250);
    const batches = await drain(search.batches);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(batches.flat().map((r) => r.sourceId)).toEqual(jan.map((w) => w.id.replace('https://openalex.org/', '')));
    expect(search.identified).toBe(250);
    expect(progress.at(-1)).toEqual({ identified: 250, fetched: 250, requests: 4, retries: 0 });
    expect(search.warnings).toEqual([]);
    // three pages and the terminal empty one, each cursor the one the page before returned
    expect(fake.log.map((l) => l.status)).toEqual([200, 200, 200, 200]);
    expect(fake.log[0]!.params).toMatchObject({
      filter: `from_created_date:2024-01-01,to_created_date:2024-01-31,${QUERY},language:en`,
      per_page: '100', cursor: '*', api_key: 'test-key', mailto: 'review@example.org',
    });
    expect(fake.log[0]!.params.select!.split(',')).toEqual(expect.arrayContaining(['id', 'ids', 'abstract_inverted_index', 'authorships', 'mesh', 'created_date']));
    expect(new Set(fake.log.map((l) => l.params.filter)).size).toBe(1);
    expect(fake.log.slice(1).every((l) => l.params.cursor !== '*')).toBe(true);
  });

  it('a last full page still has a cursor: the empty page after it ends the walk', async () => {
    const { client, fake } = await setup(cloneWorks({ templates: TEMPLATES, n: 200, ...JAN }));
    const search = await client.search({ filter: QUERY, window: JAN });
    expect((await drain(search.batches)).map((b) => b.length)).toEqual([100, 100]);
    expect(fake.log).toHaveLength(3);
  });

  it('zero hits: one request, no batch, identified 0', async () => {
    const { client, fake } = await setup(cloneWorks({ templates: TEMPLATES, n: 10, from: '2023-01-01', to: '2023-01-02' }));
    const search = await client.search({ filter: QUERY, window: JAN });
    expect(search.identified).toBe(0);
    expect(await drain(search.batches)).toEqual([]);
    expect(fake.log).toHaveLength(1);
    expect(search.warnings).toEqual([]);
  });

  it('retries after 500s and after 429 with Retry-After, and yields every record once', async () => {
    const works = cloneWorks({ templates: TEMPLATES, n: 120, ...JAN });
    const { client, fake } = await setup(works, { failEvery: { n: 2, status: 500 } }, { perPage: 25 });
    const progress: SearchProgress[] = [];
    const search = await client.search({ filter: QUERY, window: JAN, onProgress: (p) => progress.push(p) });
    const ids = (await drain(search.batches)).flat().map((r) => r.sourceId);
    expect(ids).toHaveLength(120);
    expect(new Set(ids).size).toBe(120);
    expect(fake.log.filter((l) => l.status === 500).length).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)!.retries).toBe(fake.log.filter((l) => l.status === 500).length);
    expect(progress.at(-1)!.requests).toBe(fake.log.length);

    await fake.close();
    const limited = await setup(works.slice(0, 5), { failEvery: { n: 2, status: 429, retryAfter: '1' } });
    const s2 = await limited.client.search({ filter: QUERY, window: JAN });
    expect((await drain(s2.batches)).flat()).toHaveLength(5);
    const [first, throttled, retried] = limited.fake.log;
    expect([first!.status, throttled!.status, retried!.status]).toEqual([200, 429, 200]);
    expect(retried!.params.cursor).toBe(throttled!.params.cursor);
    expect(retried!.t - throttled!.t).toBeGreaterThanOrEqual(990);
  });

  it('a 400 (unknown filter) fails at once, naming the call and OpenAlex\'s message', async () => {
    const { client, fake } = await setup(cloneWorks({ templates: TEMPLATES, n: 5, ...JAN }));
    const err = await client.search({ filter: 'DOESNTEXIST:1', window: JAN }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^openalex works HTTP 400 from 127\.0\.0\.1:\d+: \{"error":"Invalid query parameters error.","message":"doesntexist is not a valid field/i);
    expect(fake.log).toHaveLength(1);
  });

  it('a 401 without the API key OpenAlex wants is permanent; with it the search runs', async () => {
    const works = cloneWorks({ templates: TEMPLATES, n: 3, ...JAN });
    const { fake, opts } = await setup(works, { requireKey: 'right-key' });
    const keyless = new OpenAlexClient({ ...opts, apiKey: undefined });
    await expect(keyless.search({ filter: QUERY, window: JAN })).rejects.toThrow(/^openalex works HTTP 401 from 127\.0\.0\.1:\d+: .*Invalid or missing API key/);
    expect(fake.log).toHaveLength(1);
    expect(fake.log[0]!.params).not.toHaveProperty('api_key');
    const keyed = new OpenAlexClient({ ...opts, apiKey: 'right-key' });
    expect((await drain((await keyed.search({ filter: QUERY, window: JAN })).batches)).flat()).toHaveLength(3);
  });

  it('a 404 HTML page (wrong base URL) is permanent and reported as text, not parsed as JSON', async () => {
    const { fake, opts } = await setup([]);
    const wrong = new OpenAlexClient({ ...opts, baseUrl: `${fake.baseUrl}/v2` });
    const err = await wrong.search({ filter: QUERY, window: JAN }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^openalex works HTTP 404 from 127\.0\.0\.1:\d+: 404 Not Found Not Found The requested URL was not found on the server\.$/);
  });

  it('refuses a query that sets the created-date window itself', async () => {
    const { client, fake } = await setup([]);
    await expect(client.search({ filter: `${QUERY},from_created_date:2020-01-01`, window: JAN })).rejects.toThrow(/remove from_created_date\/to_created_date/);
    expect(fake.log).toHaveLength(0);
  });
});

describe('createOpenAlexSource: the strategy checked locally', () => {
  it('drops what the strategy does not match, counts only what passes, and says how many were dropped', async () => {
    // 6 templates: 5 match the strategy, "Peering into naloxone pharmacology" does not (peering is not peer)
    const works = cloneWorks({ templates: TEMPLATES, n: 60, ...JAN });
    fake = await startFakeOpenAlex({ works });
    const source = createOpenAlexSource({ baseUrl: fake.baseUrl, rateLimiter: createRateLimiter({ perSecond: 1000 }), perPage: 25 });
    const query = source.compileQuery(STRATEGY);
    const progress: SearchProgress[] = [];
    const search = await source.search({ query, window: JAN, strategy: STRATEGY, onProgress: (p) => progress.push(p) });
    expect(search.identified).toBe(0); // counted as batches pass the check
    const kept = (await drain(search.batches)).flat();
    expect(kept).toHaveLength(50);
    expect(kept.some((r) => r.title.startsWith('Peering'))).toBe(false);
    expect(search.identified).toBe(50);
    expect(progress.at(-1)).toMatchObject({ identified: 50, fetched: 50 });
    expect(search.warnings).toEqual(['10 of 60 works OpenAlex returned do not match the strategy (OpenAlex stems words and matches truncated phrases as separate words) and were dropped']);
    expect(fake.log[0]!.params.filter).toBe(`from_created_date:2024-01-01,to_created_date:2024-01-31,${query}`);
    expect(query.endsWith(',language:en')).toBe(true);
  });

  it('sends a protocol override as it is, keeps everything it returns, and says the strategy was not checked', async () => {
    fake = await startFakeOpenAlex({ works: cloneWorks({ templates: TEMPLATES, n: 12, ...JAN }) });
    const source = createOpenAlexSource({ baseUrl: fake.baseUrl, rateLimiter: createRateLimiter({ perSecond: 1000 }) });
    const search = await source.search({ query: 'title.search:naloxone', window: JAN, strategy: STRATEGY, override: true });
    expect(search.identified).toBe(12);
    expect((await drain(search.batches)).flat()).toHaveLength(12);
    expect(search.warnings).toEqual(["the protocol's own OpenAlex query was sent; records were not checked against the strategy"]);
  });
});
