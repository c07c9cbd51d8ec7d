import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { maxInWindow } from '../helpers/windows.js';
import { randomPrefix, startWorker, until, writeProtocols, type WorkerProc } from '../helpers/workers.js';

const REVIEWS = ['review-a', 'review-b'];
const TOTAL = 30;
let db: TestDatabase;
let api: FakeApi;
const workers: WorkerProc[] = [];
const prefix = randomPrefix();
const redis = new Redis(inject('redisUrl'));

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startFakeApi({ total: TOTAL, delayMs: 20 });
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
      FAKE_API_URL: api.url,
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
    expect(api.log.length).toBeGreaterThanOrEqual(2 * (1 + TOTAL / 10));
    expect(maxInWindow(api.log.map((l) => l.at))).toBeLessThanOrEqual(3);
    // Each digest once per period, and only after that period's searches had finished.
    const digestKeys = digests.map((d) => `${d.review_id}/${d.period}`);
    expect(new Set(digestKeys).size).toBe(digestKeys.length);
    for (const d of digests) {
      const searches = runs.filter((r) => r.review_id === d.review_id && r.period === d.period);
      expect(searches.length).toBeGreaterThan(0);
      for (const s of searches) expect(s.finished_at.getTime()).toBeLessThanOrEqual(d.created_at.getTime());
    }
  }, 90_000);
});
