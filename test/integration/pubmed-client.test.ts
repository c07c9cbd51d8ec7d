import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/types.js';
import type { SearchProgress } from '../../src/sources/types.js';
import { EutilsClient, type EutilsClientOptions } from '../../src/sources/pubmed/eutils-client.js';
import { createRateLimiter } from '../../src/sources/http/rate-limiter.js';
import { createPubmedSource } from '../../src/sources/pubmed/source.js';
import { type FakeEutils, type FakeEutilsOptions, startFakeEutils } from '../fakes/eutils-server.js';
import { cloneCorpus, extractArticles } from '../fakes/pubmed-corpus.js';

// the committed hand-made fixture, so these tests run without ../shared
const TEMPLATES = extractArticles(readFileSync(join(import.meta.dirname, '../fixtures/pubmed/handmade_notice_markup_book.xml'), 'utf8'));
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 50 };

let fake: FakeEutils | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(n: number, fakeOpts: Omit<FakeEutilsOptions, 'records'> = {}, clientOpts: Partial<EutilsClientOptions> = {}) {
  const records = cloneCorpus({ templates: TEMPLATES, n, from: '2024-01-01', to: '2024-01-31' });
  fake = await startFakeEutils({ records, ...fakeOpts });
  const client = new EutilsClient({
    baseUrl: fake.baseUrl, tool: 'living-review-test', email: 'test@example.org',
    rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }), retry: FAST_RETRY, ...clientOpts,
  });
  return { records, client, fake };
}

async function drain(batches: AsyncIterable<SourceRecord[]>): Promise<SourceRecord[][]> {
  const out: SourceRecord[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** Largest number of requests the fake saw starting within any 1000 ms interval. */
function maxPerSecond(times: number[]): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi]! - times[lo]! >= 1000) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

const WINDOW = { from: '2024-01-01', to: '2024-01-31' };

describe('EutilsClient against the fake E-utilities server', () => {
  it('fetches every record of a window in batches: identified = fetched = N', async () => {
    const { records, client, fake } = await setup(45, {}, { batchSize: 10 });
    const progress: SearchProgress[] = [];
    const search = await client.search({ term: 'opioid[tiab]', window: WINDOW, onProgress: (p) => progress.push(p) });
    expect(search.identified).toBe(45);
    const batches = await drain(search.batches);
    expect(batches.map((b) => b.length)).toEqual([10, 10, 10, 10, 5]);
    expect(batches.flat().map((r) => r.pmid).sort()).toEqual(records.map((r) => r.pmid).sort());
    expect(progress.at(-1)).toEqual({ identified: 45, fetched: 45, requests: 6, retries: 0 });
    const es = fake.log[0]!;
    expect(es.params).toMatchObject({
      db: 'pubmed', term: 'opioid[tiab]', usehistory: 'y', datetype: 'crdt', mindate: '2024/01/01',
      maxdate: '2024/01/31', retmax: '0', tool: 'living-review-test', email: 'test@example.org',
    });
    expect(fake.log[1]!.params).toMatchObject({ db: 'pubmed', retmode: 'xml', rettype: 'abstract', query_key: '1', WebEnv: 'MCID_fake1', retstart: '0', retmax: '10' });
    expect(search.warnings).toEqual([]);
  });

  it('finds a record entered more than a year after publication, whose entrez date is its publication date', async () => {
    const { records, client } = await setup(3);
    // Entered PubMed on 15 January 2024 with a 2019 paper's date: NLM sets EDAT to DP then.
    records.push({ ...cloneCorpus({ templates: TEMPLATES, n: 1, from: '2019-06-01', to: '2019-06-01', pmidBase: 41_000_000 })[0]!, crdt: '2024-01-15' });
    const search = await client.search({ term: 'opioid[tiab]', window: WINDOW });
    expect(search.identified).toBe(4);
    expect((await drain(search.batches)).flat().map((r) => r.pmid)).toContain('41000000');
  });

  it('splits a window over the cap by date until every part fits, and fetches all records', async () => {
    const { records, client, fake } = await setup(250, { cap: 100, phraseNotFound: 'peer navigatr*' }, { historyCap: 100, batchSize: 40 });
    const search = await client.search({ term: 'x', window: WINDOW });
    // Every part of the window is asked; the query's typo is reported once.
    expect(search.warnings).toEqual(['PhraseNotFound: peer navigatr*']);
    expect(search.identified).toBe(250);
    const all = (await drain(search.batches)).flat();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((r) => r.pmid))).toEqual(new Set(records.map((r) => r.pmid)));
    const searches = fake.log.filter((l) => l.path.endsWith('esearch.fcgi')).map((l) => `${l.params.mindate}-${l.params.maxdate}`);
    expect(searches[0]).toBe('2024/01/01-2024/01/31');
    expect(searches.length).toBeGreaterThan(3);
    expect(fake.log.every((l) => Number(l.params.retstart ?? 0) < 100)).toBe(true);
  });

  it('keeps the API key out of the error when NCBI refuses it and echoes it back', async () => {
    const key = 'f00dcafe0123456789abcdef0123456789ab';
    const { client } = await setup(5, { rejectApiKey: true }, { apiKey: key });
    const err = await client.search({ term: 'peer[tiab]', window: { from: '2024-01-01', to: '2024-01-31' } }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^esearch HTTP 400 from 127\.0\.0\.1:\d+: .*API key invalid.*\[api_key\]/);
    expect((err as Error).message).not.toContain(key);
  });

  it('splits a single day over the cap by PMID range and fetches all of it', async () => {
    const records = cloneCorpus({ templates: TEMPLATES, n: 30, from: '2024-03-05', to: '2024-03-05' });
    fake = await startFakeEutils({ records, cap: 20 });
    const client = new EutilsClient({ baseUrl: fake.baseUrl, tool: 't', historyCap: 20, batchSize: 8, rateLimiter: createRateLimiter({ perSecond: 1000 }), retry: FAST_RETRY });
    const search = await client.search({ term: 'peer[tiab]', window: { from: '2024-03-01', to: '2024-03-10' } });
    expect(search.identified).toBe(30);
    const all = (await drain(search.batches)).flat();
    expect(new Set(all.map((r) => r.pmid))).toEqual(new Set(records.map((r) => r.pmid)));
    expect(all).toHaveLength(30);
    expect(search.warnings).toEqual([]);
    const terms = fake.log.filter((l) => l.path.endsWith('esearch.fcgi')).map((l) => l.params.term!);
    expect(terms.filter((t) => t.endsWith('[uid]')).every((t) => /^\(peer\[tiab\]\) AND \d+:\d+\[uid\]$/.test(t))).toBe(true);
    expect(fake.log.every((l) => Number(l.params.retstart ?? 0) < 20)).toBe(true);
  });

  it('names the window, and the PMID range of a split day, whose records efetch no longer returns', async () => {
    const day = cloneCorpus({ templates: TEMPLATES, n: 30, from: '2024-03-05', to: '2024-03-05' });
    const other = cloneCorpus({ templates: TEMPLATES, n: 5, from: '2024-03-07', to: '2024-03-07', pmidBase: 90_000_000 });
    const gone = [day.map((r) => r.pmid).sort()[0]!, other[0]!.pmid];
    fake = await startFakeEutils({ records: [...day, ...other], cap: 20, withdrawn: gone });
    const client = new EutilsClient({ baseUrl: fake.baseUrl, tool: 't', historyCap: 20, batchSize: 8, rateLimiter: createRateLimiter({ perSecond: 1000 }), retry: FAST_RETRY });
    const search = await client.search({ term: 'peer[tiab]', window: { from: '2024-03-05', to: '2024-03-07' } });
    expect(search.identified).toBe(35);
    expect((await drain(search.batches)).flat()).toHaveLength(33);
    expect(search.warnings).toHaveLength(2);
    expect(search.warnings[0]).toMatch(/^2024-03-05, PMIDs \d+:\d+: efetch returned \d+ of \d+ records \(deleted or withdrawn PMIDs\)$/);
    const [, lo, hi] = /PMIDs (\d+):(\d+)/.exec(search.warnings[0]!)!;
    expect(Number(gone[0])).toBeGreaterThanOrEqual(Number(lo));
    expect(Number(gone[0])).toBeLessThanOrEqual(Number(hi));
    expect(search.warnings[1]).toMatch(/^2024-03-0[67]\.\.2024-03-07: efetch returned 4 of 5 records \(deleted or withdrawn PMIDs\)$/);
  });

  it('completes under faults (every 3rd request 500, truncated bodies) and the fake\'s 3 req/s limit, never exceeding 3 req/s', async () => {
    const { records, client, fake } = await setup(
      40,
      { failEvery: { n: 3, status: 500 }, truncateEvery: 4, rateLimitPerSecond: 3 },
      { batchSize: 10, rateLimiter: createRateLimiter({ perSecond: 3 }) },
    );
    const progress: SearchProgress[] = [];
    const search = await client.search({ term: 'x', window: WINDOW, onProgress: (p) => progress.push(p) });
    const batches = await drain(search.batches);
    const pmids = batches.flat().map((r) => r.pmid);
    expect(pmids).toHaveLength(40);
    expect(new Set(pmids)).toEqual(new Set(records.map((r) => r.pmid))); // no batch yielded twice
    expect(fake.log.some((l) => l.status === 500)).toBe(true);
    expect(fake.log.filter((l) => l.status === 429)).toEqual([]);
    expect(maxPerSecond(fake.log.map((l) => l.t))).toBeLessThanOrEqual(3);
    const last = progress.at(-1)!;
    expect(last.retries).toBeGreaterThan(0);
    expect(last.requests).toBe(fake.log.length);
  }, 30_000);

  it('retries an HTML page and an empty page answered with 200, and gets every record', async () => {
    const { records, client, fake } = await setup(30, { pageEvery: 3 }, { batchSize: 10 });
    const search = await client.search({ term: 'x', window: WINDOW });
    const pmids = (await drain(search.batches)).flat().map((r) => r.pmid);
    expect(pmids.sort()).toEqual(records.map((r) => r.pmid).sort());
    expect(search.warnings).toEqual([]);
    const efetches = fake.log.filter((l) => l.path.endsWith('efetch.fcgi'));
    expect(efetches.length).toBeGreaterThan(3);
  });

  it('honours Retry-After on 429 before trying again', async () => {
    const { client, fake } = await setup(5, { failEvery: { n: 2, status: 429, retryAfter: '1' } }, { batchSize: 10 });
    const search = await client.search({ term: 'x', window: WINDOW });
    expect((await drain(search.batches)).flat()).toHaveLength(5);
    const [esearch, limited, retried] = fake.log;
    expect([esearch!.status, limited!.status, retried!.status]).toEqual([200, 429, 200]);
    expect(retried!.t - limited!.t).toBeGreaterThanOrEqual(990);
  });

  it('in-band esearch <ERROR> is a PermanentError carrying NCBI\'s message, not retried', async () => {
    const { client, fake } = await setup(5, { esearchError: 'Invalid db name specified: pubmedx' });
    const err = await client.search({ term: 'x', window: WINDOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toBe('NCBI esearch error: Invalid db name specified: pubmedx');
    expect(fake.log).toHaveLength(1);
  });

  it('gives up after maxAttempts with a RetryableError naming the last cause', async () => {
    const { client, fake } = await setup(5, { failEvery: { n: 1, status: 500 } }, { retry: { ...FAST_RETRY, maxAttempts: 3 } });
    await expect(client.search({ term: 'x', window: WINDOW })).rejects.toThrow(/esearch failed after 3 attempts: esearch HTTP 500 from 127\.0\.0\.1:\d+/);
    expect(fake.log).toHaveLength(3);
  });

  it('efetchByIds posts the id list as a form', async () => {
    const { records, client, fake } = await setup(6);
    const ids = records.slice(1, 4).map((r) => r.pmid);
    const got = await client.efetchByIds(ids);
    expect(got.map((r) => r.pmid)).toEqual(ids);
    expect(fake.log[0]).toMatchObject({ method: 'POST', params: { id: ids.join(','), db: 'pubmed' } });
  });

  it('createPubmedSource wires compileQuery and search', async () => {
    const records = cloneCorpus({ templates: TEMPLATES, n: 7, from: '2024-01-01', to: '2024-01-02' });
    fake = await startFakeEutils({ records });
    const source = createPubmedSource({ baseUrl: fake.baseUrl, tool: 't', batchSize: 3, rateLimiter: createRateLimiter({ perSecond: 1000 }) });
    expect(source.name).toBe('pubmed');
    const query = source.compileQuery({ reconstructed: false, blocks: [{ name: 'support', terms: [{ text: 'peer support', field: 'tiab' }], mesh: [] }], limits: { languages: ['eng'] } });
    expect(query).toBe('("peer support"[tiab]) AND english[la]');
    const search = await source.search({ query, window: { from: '2024-01-01', to: '2024-01-02' } });
    expect(search.identified).toBe(7);
    expect((await drain(search.batches)).map((b) => b.length)).toEqual([3, 3, 1]);
  });
});
