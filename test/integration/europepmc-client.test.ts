import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/types.js';
import { EuropePmcClient, type EuropePmcClientOptions } from '../../src/sources/europepmc/client.js';
import { createEuropePmcSource } from '../../src/sources/europepmc/source.js';
import { createRateLimiter } from '../../src/sources/http/rate-limiter.js';
import type { SearchProgress } from '../../src/sources/types.js';
import { cloneEuropePmcCorpus, type FakeEuropePmc, type FakeEuropePmcOptions, type FakeEuropePmcRecord, startFakeEuropePmc } from '../fakes/europepmc-server.js';
import { maxInWindow } from '../helpers/windows.js';

// the committed hand-made page (MED, PPR, PMC results), so these tests run without ../shared
const page = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/europepmc/handmade_core_page.json'), 'utf8'));
const TEMPLATES = (page.resultList.result as Record<string, unknown>[]).slice(0, 3);
const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 50 };
const WINDOW = { from: '2024-01-01', to: '2024-01-31' };

let fake: FakeEuropePmc | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** n records inside WINDOW plus 7 indexed the day before and after it, which must never come back. */
function corpus(n: number): FakeEuropePmcRecord[] {
  return [
    ...cloneEuropePmcCorpus({ templates: TEMPLATES, n: 4, from: '2023-12-31', to: '2023-12-31', idBase: 10_000_000 }),
    ...cloneEuropePmcCorpus({ templates: TEMPLATES, n, ...WINDOW }),
    ...cloneEuropePmcCorpus({ templates: TEMPLATES, n: 3, from: '2024-02-01', to: '2024-02-01', idBase: 20_000_000 }),
  ];
}

async function setup(n: number, fakeOpts: Omit<FakeEuropePmcOptions, 'records'> = {}, clientOpts: EuropePmcClientOptions = {}) {
  const records = corpus(n);
  fake = await startFakeEuropePmc({ records, ...fakeOpts });
  const client = new EuropePmcClient({ baseUrl: fake.baseUrl, rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }), retry: FAST_RETRY, ...clientOpts });
  const inWindow = records.filter((r) => r.firstIndexDate >= WINDOW.from && r.firstIndexDate <= WINDOW.to);
  return { client, fake, inWindow };
}

async function drain(batches: AsyncIterable<SourceRecord[]>): Promise<SourceRecord[][]> {
  const out: SourceRecord[][] = [];
  for await (const b of batches) out.push(b);
  return out;
}

const ids = (records: { sourceId: string }[]) => records.map((r) => r.sourceId).sort();
const expectedIds = (records: FakeEuropePmcRecord[]) => records.map((r) => `${String(r.result.source)}:${String(r.result.id)}`).sort();

describe('EuropePmcClient against the fake Europe PMC server', () => {
  it('pages to the end with cursorMark: identified = fetched = records in the window, one batch per page', async () => {
    const { client, fake, inWindow } = await setup(2350);
    const progress: SearchProgress[] = [];
    const search = await client.search({ query: 'TITLE_ABS:naloxone', window: WINDOW, onProgress: (p) => progress.push(p) });
    expect(search.identified).toBe(2350);
    const batches = await drain(search.batches);
    expect(batches.map((b) => b.length)).toEqual([1000, 1000, 350]);
    expect(ids(batches.flat())).toEqual(expectedIds(inWindow));
    expect(progress.at(-1)).toEqual({ identified: 2350, fetched: 2350, requests: 3, retries: 0 });
    expect(search.warnings).toEqual([]);
    // The window and query actually sent, and the cursor chain followed from '*'.
    expect(fake.log.map((l) => [l.method, l.path])).toEqual(Array(3).fill(['GET', '/europepmc/webservices/rest/search']));
    expect(fake.log[0]!.params).toEqual({
      query: '(TITLE_ABS:naloxone) AND FIRST_IDATE:[2024-01-01 TO 2024-01-31]',
      resultType: 'core', format: 'json', pageSize: '1000', cursorMark: '*',
    });
    expect(fake.log.slice(1).map((l) => l.params.cursorMark)).toEqual([
      Buffer.from('fake-cursor:1000').toString('base64'),
      Buffer.from('fake-cursor:2000').toString('base64'),
    ]);
  });

  it('when the hits fill the last page exactly, stops at the empty page that echoes its cursor', async () => {
    const { client, fake } = await setup(20, {}, { pageSize: 10 });
    const search = await client.search({ query: 'x', window: WINDOW });
    expect((await drain(search.batches)).map((b) => b.length)).toEqual([10, 10]);
    expect(fake.log).toHaveLength(3);
    expect(fake.log[2]!.status).toBe(200);
  });

  it('zero hits: identified 0, no batches, one request', async () => {
    const { client, fake } = await setup(0);
    const progress: SearchProgress[] = [];
    const search = await client.search({ query: 'x', window: WINDOW, onProgress: (p) => progress.push(p) });
    expect(search.identified).toBe(0);
    expect(await drain(search.batches)).toEqual([]);
    expect(fake.log).toHaveLength(1);
    expect(progress.at(-1)).toEqual({ identified: 0, fetched: 0, requests: 1, retries: 0 });
    expect(search.warnings).toEqual([]);
  });

  it('retries a 500 and a 429 (waiting out Retry-After), then completes without yielding a page twice', async () => {
    const { client, fake, inWindow } = await setup(25, { faults: { 1: { status: 500 }, 3: { status: 429, retryAfter: '1' } } }, { pageSize: 10 });
    const progress: SearchProgress[] = [];
    const search = await client.search({ query: 'x', window: WINDOW, onProgress: (p) => progress.push(p) });
    const all = (await drain(search.batches)).flat();
    expect(ids(all)).toEqual(expectedIds(inWindow));
    expect(fake.log.map((l) => l.status)).toEqual([500, 200, 429, 200, 200]);
    expect(fake.log[3]!.t - fake.log[2]!.t).toBeGreaterThanOrEqual(990);
    expect(fake.log[3]!.params.cursorMark).toBe(fake.log[2]!.params.cursorMark);
    expect(progress.at(-1)).toEqual({ identified: 25, fetched: 25, requests: 5, retries: 2 });
  });

  it('a 400 fails at once with a PermanentError naming the call and carrying the answer', async () => {
    const { client, fake } = await setup(5);
    const err = await client.search({ query: 'TITLE_ABS:(naloxone', window: WINDOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toMatch(/^europepmc search HTTP 400 from 127\.0\.0\.1:\d+: \{"errCode":400,"errMsg":"Invalid query: \(TITLE_ABS:\(naloxone\) AND FIRST_IDATE/);
    expect(fake.log).toHaveLength(1);
  });

  it('gives up after maxAttempts of 500s, naming the last cause', async () => {
    const faults = Object.fromEntries([1, 2, 3].map((n) => [n, { status: 503 }]));
    const { client, fake } = await setup(5, { faults }, { retry: { ...FAST_RETRY, maxAttempts: 3 } });
    await expect(client.search({ query: 'x', window: WINDOW })).rejects.toThrow(/^europepmc search failed after 3 attempts: europepmc search HTTP 503 from 127\.0\.0\.1:\d+/);
    expect(fake.log).toHaveLength(3);
  });

  it('sends a long query as a form POST to searchPOST, cursor and all', async () => {
    const { client, fake } = await setup(15, {}, { pageSize: 10 });
    const query = Array.from({ length: 120 }, (_, i) => `TITLE_ABS:"peer term ${i}"`).join(' OR ');
    const search = await client.search({ query, window: WINDOW });
    expect((await drain(search.batches)).flat()).toHaveLength(15);
    expect(fake.log.map((l) => [l.method, l.path])).toEqual(Array(2).fill(['POST', '/europepmc/webservices/rest/searchPOST']));
    expect(fake.log[0]!.params.query).toBe(`(${query}) AND FIRST_IDATE:[2024-01-01 TO 2024-01-31]`);
    expect(fake.log[1]!.params.cursorMark).toBe(Buffer.from('fake-cursor:10').toString('base64'));
  });

  it('refuses a reversed window before any request', async () => {
    const { client, fake } = await setup(1);
    await expect(client.search({ query: 'x', window: { from: '2024-02-01', to: '2024-01-01' } })).rejects.toThrow(PermanentError);
    expect(fake.log).toHaveLength(0);
  });

  it('createEuropePmcSource wires the compiler and, by default, keeps to 1 request a second', async () => {
    fake = await startFakeEuropePmc({ records: corpus(25) });
    const source = createEuropePmcSource({ baseUrl: fake.baseUrl, pageSize: 10 });
    expect(source.name).toBe('europepmc');
    const query = source.compileQuery({ reconstructed: false, blocks: [{ name: 'support', terms: [{ text: 'peer support', field: 'tiab' }], mesh: ['Peer Group'] }], limits: { languages: ['english'] } });
    expect(query).toBe('(TITLE_ABS:"peer support" OR KW:"Peer Group") AND LANG:eng');
    const search = await source.search({ query, window: WINDOW });
    expect((await drain(search.batches)).map((b) => b.length)).toEqual([10, 10, 5]);
    expect(fake.log[0]!.params.query).toBe('((TITLE_ABS:"peer support" OR KW:"Peer Group") AND LANG:eng) AND FIRST_IDATE:[2024-01-01 TO 2024-01-31]');
    expect(maxInWindow(fake.log.map((l) => l.t))).toBe(1);
  });

  it('fails, instead of paging for ever, when Europe PMC hands back a cursor it gave before', async () => {
    // An upstream that always answers a full page, its cursor going A, B, A, B...
    const result = TEMPLATES.slice(0, 2);
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      const sent = new URL(req.url ?? '/', 'http://x').searchParams.get('cursorMark');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hitCount: 4, nextCursorMark: sent === 'A' ? 'B' : 'A', resultList: { result } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new EuropePmcClient({ baseUrl: `http://127.0.0.1:${port}`, pageSize: 2, rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }), retry: FAST_RETRY });
      const search = await client.search({ query: 'peer', window: WINDOW });
      await expect(drain(search.batches)).rejects.toThrow(/Europe PMC returned a cursor it had returned before, after 3 pages/);
      expect(requests).toBe(3);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
