import { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { prismaInputs } from '../../src/db/queries/prisma.js';
import { prismaReport } from '../../src/prisma/counts.js';
import { connectRedis } from '../../src/queue/connection.js';
import { enqueueCycle, waitForCycle, type EnqueuedCycle } from '../../src/queue/enqueue.js';
import { closeQueues, openQueues } from '../../src/queue/queues.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeApi } from '../helpers/fake-api.js';
import { startThrowawayRedis } from '../helpers/throwaway-redis.js';
import { randomPrefix, startWorker, until, writeProtocols, type WorkerProc } from '../helpers/workers.js';

const TOTAL = 60;
const REVIEWS = ['fault-kill', 'fault-kill2', 'fault-term', 'fault-redis'];
let db: TestDatabase;
let protocols: string;
const cleanup: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // A cron that does not fire during the test: these cycles are enqueued by hand (run --enqueue).
  protocols = writeProtocols(REVIEWS, { search: '0 0 1 1 *', digest: '0 0 1 1 *' });
});
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await db.drop();
});

/** A fresh API double, queue prefix and producer for one scenario. */
async function scenario(redisUrl: string) {
  const api = await startFakeApi({ total: TOTAL, delayMs: 100 });
  const prefix = randomPrefix();
  // The connection `run --enqueue --wait` uses: its polling must ride out a Redis restart itself.
  const connection = connectRedis(redisUrl, 'producer');
  const queues = openQueues(connection, prefix);
  const procs: WorkerProc[] = [];
  cleanup.push(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await api.close();
    await closeQueues(queues);
    connection.disconnect();
  });
  const env = { DATABASE_URL: db.url, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, FAKE_API_URL: api.url, REVIEW_CONFIG: protocols };
  return {
    api,
    queues,
    /** As `run --enqueue --wait` waits: on the producer connection, riding out Redis going away. */
    wait: (cycle: EnqueuedCycle) => waitForCycle(queues.search, db.database.db, cycle, { connection }),
    worker: async (extra: Record<string, string> = {}) => {
      const w = await startWorker({ ...env, ...extra });
      procs.push(w);
      return w;
    },
    midRun: () => until('the search to be under way', async () => api.log.length >= 3),
  };
}

async function assertStagedOnce(review: string) {
  const [counts] = await db.query<{ records: number; works: number; distinct_ids: number }>(
    `select (select count(*)::int from source_records where review_id = $1) as records,
            (select count(*)::int from works where review_id = $1 and origin = 'candidate') as works,
            (select count(distinct pmid)::int from works where review_id = $1 and origin = 'candidate') as distinct_ids`,
    [review],
  );
  expect(counts).toEqual({ records: TOTAL, works: TOTAL, distinct_ids: TOTAL });
  // However many attempts it took, the update found each record once and no duplicate of an older one.
  const { runs, worksByRun } = await prismaInputs(db.database.db, review);
  expect(prismaReport(review, null, runs, worksByRun).cumulative).toMatchObject({ identified: { pubmed: TOTAL }, fetched: TOTAL, duplicatesRemoved: 0, screened: TOTAL });
  return db.query<{ status: string; error: string | null; new_works: number }>(`select status, error, new_works from search_runs where review_id = $1 order by id`, [review]);
}

const fastLocks = { TEST_LOCK_MS: '2000', TEST_STALLED_MS: '1000' };

describe('worker faults', () => {
  it('SIGKILL mid-search: another worker takes the job over and every record is staged once', async () => {
    const s = await scenario(inject('redisUrl'));
    const a = await s.worker(fastLocks);
    const cycle = await enqueueCycle(s.queues.search, { reviewId: 'fault-kill', sources: ['pubmed'], trigger: 'manual' });
    await s.midRun();
    a.child.kill('SIGKILL');
    await a.exited;
    await s.worker(fastLocks);
    const result = await s.wait(cycle);
    expect(result.sources.map((r) => r.status)).toEqual(['ok']);
    // Reported from both attempts: what the first staged is new, not a duplicate of the retry.
    expect(result.sources[0]).toMatchObject({ identified: TOTAL, fetched: TOTAL, new: TOTAL, duplicates: 0 });
    expect(result.staged).toBe(TOTAL);
    const runs = await assertStagedOnce('fault-kill');
    expect(runs.map((r) => r.status)).toEqual(['failed', 'ok']);
    expect(runs[0]!.error).toMatch(/abandoned/);
    const job = await Job.fromId(s.queues.search, cycle.jobs[0]!.jobId);
    expect(job!.stalledCounter).toBe(1);
  }, 60_000);

  it('two workers killed in turn mid-search: the third completes the job', async () => {
    const s = await scenario(inject('redisUrl'));
    const cycle = await enqueueCycle(s.queues.search, { reviewId: 'fault-kill2', sources: ['pubmed'], trigger: 'manual' });
    for (let i = 0; i < 2; i++) {
      const before = s.api.log.length;
      const w = await s.worker(fastLocks);
      await until('the search to be under way again', async () => s.api.log.length >= before + 3);
      w.child.kill('SIGKILL');
      await w.exited;
    }
    await s.worker(fastLocks);
    const result = await s.wait(cycle);
    expect(result.sources.map((r) => [r.status, r.new, r.duplicates])).toEqual([['ok', TOTAL, 0]]);
    expect((await assertStagedOnce('fault-kill2')).map((r) => r.status)).toEqual(['failed', 'failed', 'ok']);
    expect((await Job.fromId(s.queues.search, cycle.jobs[0]!.jobId))!.stalledCounter).toBe(2);
  }, 90_000);

  it('SIGTERM mid-search: exits within the deadline and hands the job back; a new worker completes it', async () => {
    const s = await scenario(inject('redisUrl'));
    const a = await s.worker({ TEST_SHUTDOWN_MS: '1500' });
    const cycle = await enqueueCycle(s.queues.search, { reviewId: 'fault-term', sources: ['pubmed'], trigger: 'manual' });
    await s.midRun();
    const t0 = Date.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1500 + 3000);
    const job = await Job.fromId(s.queues.search, cycle.jobs[0]!.jobId);
    expect(await job!.getState()).toBe('waiting');
    await s.worker();
    const result = await s.wait(cycle);
    expect(result.sources.map((r) => r.status)).toEqual(['ok']);
    const runs = await assertStagedOnce('fault-term');
    expect(runs.map((r) => r.status)).toEqual(['failed', 'ok']);
    // Handed back explicitly: no stall, and only the completing attempt counts.
    const done = await Job.fromId(s.queues.search, cycle.jobs[0]!.jobId);
    expect(done!.stalledCounter).toBe(0);
    expect(done!.attemptsMade).toBe(1);
  }, 60_000);

  it('Redis restarted during a run: the worker reconnects and the run completes, nothing lost or doubled', async () => {
    const redis = await startThrowawayRedis();
    cleanup.push(() => redis.stop());
    const s = await scenario(redis.url);
    await s.worker();
    const cycle = await enqueueCycle(s.queues.search, { reviewId: 'fault-redis', sources: ['pubmed'], trigger: 'manual' });
    await s.midRun();
    await redis.kill();
    await new Promise((r) => setTimeout(r, 3000));
    await redis.start();
    const result = await s.wait(cycle);
    expect(result.sources.map((r) => r.status)).toEqual(['ok']);
    const runs = await assertStagedOnce('fault-redis');
    expect(runs.filter((r) => r.status === 'ok')).toHaveLength(1);
  }, 60_000);
});

it('SIGTERM while Redis is down: the worker still exits, within its shutdown deadline and the release time', async () => {
  const redis = await startThrowawayRedis();
  cleanup.push(() => redis.stop());
  const s = await scenario(redis.url);
  const w = await s.worker({ TEST_SHUTDOWN_MS: '1000' });
  await redis.kill();
  const started = Date.now();
  w.child.kill('SIGTERM');
  const code = await w.exited;
  // 1 s of deadline, 15 s of release at most, 2 s each for the queues and QUIT: never the hang of before.
  expect(Date.now() - started).toBeLessThan(30_000);
  expect(code).toBe(0);
  expect(w.stderr()).toContain('"workers stopped"');
  await redis.start(); // for the scenario's own clean-up, which needs Redis
}, 60_000);

it('says when a requested window is absorbed by a search of the source already queued', async () => {
  const s = await scenario(inject('redisUrl'));
  const first = await enqueueCycle(s.queues.search, { reviewId: 'fault-kill', sources: ['pubmed', 'europepmc'], trigger: 'manual' });
  const again = await enqueueCycle(s.queues.search, { reviewId: 'fault-kill', sources: ['pubmed'], trigger: 'manual', from: '2021-02-01', to: '2021-02-28' });
  expect(again.jobs).toEqual([first.jobs[0]]);
  expect(again.windowsNotQueued).toEqual([{ source: 'pubmed', jobId: first.jobs[0]!.jobId, queued: {} }]);
  // The same request without a window asks for nothing the queued search does not do.
  expect((await enqueueCycle(s.queues.search, { reviewId: 'fault-kill', sources: ['europepmc'], trigger: 'manual' })).windowsNotQueued).toEqual([]);
});

it('refuses to start on a Redis that may evict keys', async () => {
  const evicting = await startThrowawayRedis(['--maxmemory-policy', 'allkeys-lru']);
  cleanup.push(() => evicting.stop());
  await expect(startWorker({ DATABASE_URL: db.url, REDIS_URL: evicting.url, FAKE_API_URL: 'http://127.0.0.1:1', REVIEW_CONFIG: protocols })).rejects.toThrow(
    /exited 1 before starting: .*living-review: Redis at 127\.0\.0\.1:\d+ has maxmemory-policy allkeys-lru; BullMQ needs noeviction/,
  );
});

// Keeps loadEnv's parse of the test env honest: the prefix variable is part of the contract.
it('accepts a queue prefix from the environment', () => {
  expect(loadEnv({ QUEUE_PREFIX: 'abc-1' }).QUEUE_PREFIX).toBe('abc-1');
  expect(() => loadEnv({ QUEUE_PREFIX: 'a:b' })).toThrow(/QUEUE_PREFIX/);
});
