import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocols, type Protocol } from '../../src/config/protocol.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { createLogger } from '../../src/log.js';
import { connectRedis, waitReady } from '../../src/queue/connection.js';
import { closeQueues, openQueues } from '../../src/queue/queues.js';
import { createCounterStore } from '../../src/ops/counters.js';
import { opsRoutes, type OpsDeps } from '../../src/ops/routes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { startThrowawayRedis } from '../helpers/throwaway-redis.js';
import { randomPrefix, until, writeProtocols } from '../helpers/workers.js';

const TOKEN = 'a-dashboard-token-of-some-length';
let testDb: TestDatabase;
let viaProxy: Database;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let redis: Awaited<ReturnType<typeof startThrowawayRedis>>;
const servers: Server[] = [];
const closers: (() => Promise<unknown> | void)[] = [];
const prefix = randomPrefix();

async function serve(dashboard: OpsDeps['dashboard'], protocols?: Protocol[]): Promise<string> {
  const conn = connectRedis(redis.url, 'producer');
  const queues = openQueues(conn, prefix);
  closers.push(() => closeQueues(queues), () => conn.disconnect());
  const ops = opsRoutes({ db: viaProxy.db, redis: conn, queues, prefix, dashboard, log: createLogger('silent'), ...(protocols ? { protocols } : {}) });
  const server = createServer((req, res) => void ops(req, res).then((handled) => handled || res.writeHead(404).end()));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const target = new URL(testDb.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  target.host = `127.0.0.1:${proxy.port}`;
  viaProxy = await openDatabase({ DATABASE_URL: target.toString(), dataDir: '' });
  redis = await startThrowawayRedis();
});
afterAll(async () => {
  for (const s of servers) s.closeAllConnections(), s.close();
  for (const c of closers) await c();
  await proxy.heal();
  await viaProxy.close().catch(() => {});
  await redis.stop();
  await testDb.drop();
});

/** Every sample of a /metrics scrape by name and labels, checking the exposition format. */
async function scrape(base: string): Promise<{ text: string; samples: Map<string, number> }> {
  const res = await until('metrics', async () => {
    const r = await fetch(`${base}/metrics`);
    return r.status === 200 && r;
  }, 10_000);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    if (line.startsWith('#')) {
      expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    expect(m, line).not.toBeNull();
    samples.set(m![1]! + (m![2] ?? ''), Number(m![3]));
  }
  return { text, samples };
}

const health = async (base: string) => {
  const res = await fetch(`${base}/healthz`);
  return { code: res.status, body: (await res.json()) as { status: string; reason?: string; checks: Record<string, { status: string }> } };
};

describe('ops routes', () => {
  it('/healthz follows Redis and Postgres going away and coming back', async () => {
    const base = await serve({});
    await until('first connections', async () => (await health(base)).code === 200, 10_000);
    expect(await health(base)).toMatchObject({ code: 200, body: { status: 'ok', checks: { postgres: { status: 'ok' }, redis: { status: 'ok' } } } });

    await redis.kill();
    const down = await health(base);
    expect(down).toMatchObject({ code: 503, body: { status: 'unhealthy', checks: { postgres: { status: 'ok' }, redis: { status: 'down' } } } });
    expect(down.body.reason).toMatch(/^redis: \S/);
    // /metrics still answers with what Postgres holds, and says Redis was missing.
    const partial = (await scrape(base)).samples;
    expect(partial.get('living_review_store_up{store="redis"}')).toBe(0);
    expect(partial.get('living_review_store_up{store="postgres"}')).toBe(1);
    expect([...partial.keys()].some((k) => k.startsWith('living_review_queue_jobs'))).toBe(false);
    await redis.start();
    await until('Redis healthy again', async () => (await health(base)).code === 200, 20_000);

    await proxy.cut();
    expect(await health(base)).toMatchObject({ code: 503, body: { checks: { postgres: { status: 'down' }, redis: { status: 'ok' } } } });
    const noPostgres = (await scrape(base)).samples;
    expect(noPostgres.get('living_review_store_up{store="postgres"}')).toBe(0);
    expect([...noPostgres.keys()].some((k) => k.startsWith('living_review_queue_jobs{'))).toBe(true);
    await proxy.heal();
    await until('Postgres healthy again', async () => (await health(base)).code === 200, 20_000);
  }, 60_000);

  it('/metrics is Prometheus text with runs, staging, API, digest and queue metrics', async () => {
    const base = await serve({});
    const conn = connectRedis(redis.url, 'producer');
    closers.push(() => conn.disconnect());
    await waitReady(conn, 5_000);
    createCounterStore(conn, prefix).add('api_responses', { source: 'pubmed', code: '429' }, 2);
    await until('counter written', async () => (await conn.hlen(`${prefix}:metrics:counters`)) > 0);
    const { text, samples } = await scrape(base);
    expect(samples.get('living_review_api_responses_total{code="429",source="pubmed"}')).toBe(2);
    expect(samples.get('living_review_queue_jobs{queue="search",state="waiting"}')).toBe(0);
    for (const name of ['living_review_search_runs', 'living_review_records_staged', 'living_review_api_requests', 'living_review_jobs_total', 'living_review_job_duration_seconds_total', 'living_review_digest_sends_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('/metrics gives the age of the last successful search per configured review and source, and each search interval', async () => {
    const protocols = loadProtocols(writeProtocols(['stale-a', 'stale-b', 'stale-gone'], { search: '0 6 * * *', digest: '0 8 * * 1' }).split(','));
    protocols[0]!.sources.europepmc = { enabled: true };
    protocols[1]!.sources.europepmc = { enabled: false };
    for (const p of protocols) await syncProtocol(testDb.database.db, p);
    await testDb.query(`update reviews set created_at = now() - interval '3 days' where id = 'stale-a'`);
    await testDb.query(`update reviews set created_at = now() - interval '2 hours' where id = 'stale-b'`);
    const run = (review: string, source: string, status: string, finishedHoursAgo: number | null, trigger = 'schedule') =>
      testDb.query(
        `insert into search_runs (review_id, cycle_id, source, trigger, query, window_from, window_to, status, started_at, finished_at)
         values ($1, 'c', $2, $5, 'q', '2026-01-01', '2026-01-02', $3, now() - interval '100 hours', now() - make_interval(hours => $4::int))`,
        [review, source, status, finishedHoursAgo, trigger],
      );
    await run('stale-a', 'pubmed', 'ok', 50);
    await run('stale-a', 'pubmed', 'ok', 26);
    await run('stale-a', 'pubmed', 'failed', 1);
    await run('stale-a', 'pubmed', 'running', null);
    await run('stale-a', 'europepmc', 'failed', 2);
    // An import of a Europe PMC export an hour ago is no search: the schedule is still stale.
    await run('stale-a', 'europepmc', 'ok', 1, 'import');
    await run('stale-gone', 'pubmed', 'ok', 240);

    // 'stale-gone' is no longer configured: serve is given the other two.
    const { text, samples } = await scrape(await serve({}, protocols.slice(0, 2)));
    const age = (review: string, source: string) => samples.get(`living_review_search_last_success_age_seconds{review="${review}",source="${source}"}`);
    // The latest ok run counts; failed and running ones do not.
    expect(Math.abs(age('stale-a', 'pubmed')! - 26 * 3600)).toBeLessThan(60);
    // No success yet: counted from when the review was first configured.
    expect(Math.abs(age('stale-a', 'europepmc')! - 3 * 86_400)).toBeLessThan(60);
    expect(Math.abs(age('stale-b', 'pubmed')! - 2 * 3600)).toBeLessThan(60);
    // Sources not enabled and reviews not configured give no series.
    expect(age('stale-b', 'europepmc')).toBeUndefined();
    expect(text).not.toContain('stale-gone');
    expect(samples.get('living_review_search_interval_seconds{review="stale-a"}')).toBe(86_400);
    expect(samples.get('living_review_search_interval_seconds{review="stale-b"}')).toBe(86_400);
    // The README's alert (age > 1.5 x interval) would fire for stale-a/europepmc only.
    const firing = [...samples].filter(([k, v]) => k.startsWith('living_review_search_last_success_age_seconds{') && v > 1.5 * 86_400).map(([k]) => k);
    expect(firing).toEqual(['living_review_search_last_success_age_seconds{review="stale-a",source="europepmc"}']);
  });

  it('the dashboard refuses requests without credentials and is off when none are configured', async () => {
    const base = await serve({ token: TOKEN, user: 'ops', password: 'a-long-password' });
    const refused = await fetch(`${base}/admin/queues`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: 'Bearer wrong-token-wrong-token!' } })).status).toBe(401);
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } })).status).toBe(401);
    const ok = await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(JSON.stringify(await ok.json())).toContain('search');
    const basic = await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from('ops:a-long-password').toString('base64')}` } });
    expect(basic.status).toBe(200);

    expect(basic.headers.get('x-frame-options')).toBe('DENY');

    // Another site's form, riding the browser's basic-auth credentials, adds no job.
    const auth = `Basic ${Buffer.from('ops:a-long-password').toString('base64')}`;
    const add = (headers: Record<string, string>) =>
      fetch(`${base}/admin/queues/api/queues/digest/add`, { method: 'POST', headers: { authorization: auth, ...headers }, body: JSON.stringify({ name: 'probe', data: {} }) });
    const waiting = async () => (await (await fetch(`${base}/admin/queues/api/queues?activeQueue=digest&status=waiting`, { headers: { authorization: auth } })).text()).split('"probe"').length - 1;
    expect((await add({ 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await add({ 'content-type': 'text/plain', origin: 'https://evil.example' })).status).toBe(403);
    expect(await waiting()).toBe(0);
    expect((await add({ 'content-type': 'application/json', origin: base, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Behind a proxy that rewrites Host the Origin is the public one: the browser's word decides.
    expect((await add({ 'content-type': 'application/json', origin: 'https://lr.example.org', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(await waiting()).toBe(2);

    // A token only: no browser prompt for a user and password that do not exist.
    const tokenOnly = await fetch(`${await serve({ token: TOKEN })}/admin/queues`);
    expect(tokenOnly.status).toBe(401);
    expect(tokenOnly.headers.get('www-authenticate')).toBe('Bearer realm="living-review queues"');

    const off = await serve({});
    expect((await fetch(`${off}/admin/queues`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});
