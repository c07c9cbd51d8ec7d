import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';
import { startFakeEutils, type FakeEutils } from '../fakes/eutils-server.js';
import { cloneCorpus, extractArticles } from '../fakes/pubmed-corpus.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { maxInWindow } from '../helpers/windows.js';
import { randomPrefix, startWorker, until, writeProtocols, type WorkerProc } from '../helpers/workers.js';

const REVIEWS = ['review-a', 'review-b'];
// Enough records for several efetch pages per review, so the rate limit has something to limit.
const TOTAL = 2_600;
let db: TestDatabase;
let api: FakeEutils;
const workers: WorkerProc[] = [];
const prefix = randomPrefix();
const redis = new Redis(inject('redisUrl'));

beforeAll(async () => {
  db = await createTestDatabase();
  const templates = extractArticles(readFileSync(join(packageRoot, 'test/fixtures/pubmed/handmade_notice_markup_book.xml'), 'utf8'));
  const today = new Date().toISOString().slice(0, 10);
  // The E-utilities fake answers 429 above NCBI's 3 requests/s, as NCBI does.
  api = await startFakeEutils({ records: cloneCorpus({ templates, n: TOTAL, from: '2020-10-01', to: today }), rateLimitPerSecond: 3 });
});
afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await api.close();
  await db.drop();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const q = <T>(sql: string, params?: unknown[]) => db.query<T>(sql, params);

describe('two worker processes on the same schedule', () => {
  it('run one search per review, source and period, stay under 3 requests/s together, and send the digest after the searches', async () => {
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      EUTILS_BASE_URL: api.baseUrl,
      TEST_SHUTDOWN_MS: '2000',
      // Every 10 s: search and digest fire on the same tick, so the digest has to wait.
      REVIEW_CONFIG: writeProtocols(REVIEWS, { search: '*/10 * * * * *', digest: '*/10 * * * * *' }),
    };
    workers.push(...(await Promise.all([startWorker(env), startWorker(env)])));

    const digests = await until(
      'a digest of each review',
      async () => {
        const rows = await q<{ review_id: string; period: string; created_at: Date }>(`select review_id, entity_id as period, created_at from audit_log where action = 'digest.sent'`);
        return REVIEWS.every((r) => rows.some((d) => d.review_id === r)) && rows;
      },
      45_000,
    );
    await Promise.all(workers.map((w) => (w.child.kill('SIGTERM'), w.exited)));

    const runs = await q<{ review_id: string; source: string; period: string; status: string; finished_at: Date; new_works: number }>(
      `select review_id, source, period, status, finished_at, new_works from search_runs`,
    );
    const live = runs.filter((r) => r.status !== 'failed');
    const keys = live.map((r) => `${r.review_id}/${r.source}/${r.period}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const review of REVIEWS) {
      expect(live.some((r) => r.review_id === review && r.status === 'ok')).toBe(true);
      const works = await q<{ n: number }>(`select count(*)::int as n from works where review_id = $1 and origin = 'candidate'`, [review]);
      expect(works[0]!.n).toBe(TOTAL);
    }
    // Both reviews searched at once, by two processes, still at most 3 requests in any second.
    expect(api.log.filter((l) => l.path.endsWith('/efetch.fcgi')).length).toBeGreaterThanOrEqual(2 * Math.ceil(TOTAL / 500));
    const arrivals = api.log.map((l) => `${l.t.toFixed(0)} ${l.path.split('/').pop()} ${l.params.WebEnv ?? ''}/${l.params.retstart ?? ''} ${l.status}`);
    expect(maxInWindow(api.log.map((l) => l.t)), `arrivals (ms, path, history/retstart, status):\n${arrivals.join('\n')}`).toBeLessThanOrEqual(3);
    expect(api.log.filter((l) => l.status === 429)).toHaveLength(0);
    // Each digest once per period, and only after the searches due by its tick had finished. A
    // tick whose search of the review is still running from the tick before has no run of its own
    // (the queue deduplicates it into the running one), so "due by" is any period up to its own.
    const digestKeys = digests.map((d) => `${d.review_id}/${d.period}`);
    expect(new Set(digestKeys).size).toBe(digestKeys.length);
    for (const d of digests) {
      const due = runs.filter((r) => r.review_id === d.review_id && r.period <= d.period);
      expect(due.length).toBeGreaterThan(0);
      for (const s of due) expect(s.finished_at.getTime()).toBeLessThanOrEqual(d.created_at.getTime());
    }
  }, 90_000);
});
