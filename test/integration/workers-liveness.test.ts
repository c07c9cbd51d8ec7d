// Liveness = jobs make progress (RELIABILITY_NOTES R3, silent worker wedge): a real worker
// process with its health endpoint and a shortened progress timeout, a real Redis and Postgres,
// and an upstream double that can stop answering, so the only search slot hangs while work waits.
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { enqueueCycle, waitForCycle } from '../../src/queue/enqueue.js';
import { dueJobCounts } from '../../src/queue/liveness.js';
import { closeQueues, openQueues, type Queues } from '../../src/queue/queues.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeApi, type FakeApi } from '../helpers/fake-api.js';
import { freePort } from '../helpers/services.js';
import { randomPrefix, startWorker, until, writeProtocols, type WorkerProc } from '../helpers/workers.js';

const THRESHOLD_MS = 1_500;
let db: TestDatabase;
let api: FakeApi;
let worker: WorkerProc;
let base: string;
const prefix = randomPrefix();
const connection = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
let queues: Queues;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startFakeApi({ total: 5 });
  queues = openQueues(connection, prefix);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  worker = await startWorker({
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    FAKE_API_URL: api.url,
    // Crons that do not fire during the test: searches are enqueued by hand.
    REVIEW_CONFIG: writeProtocols(['live-a', 'live-b'], { search: '0 0 1 1 *', digest: '0 0 1 1 *' }),
    TEST_HEALTH_PORT: String(port),
    TEST_PROGRESS_MS: String(THRESHOLD_MS),
  });
});
afterAll(async () => {
  worker?.child.kill('SIGKILL');
  api?.release();
  await api?.close();
  await closeQueues(queues);
  const keys = await connection.keys(`${prefix}:*`);
  if (keys.length) await connection.del(...keys);
  connection.disconnect();
  await db.drop();
});

interface Body {
  status: string;
  reason?: string;
  checks: { postgres: { status: string }; redis: { status: string }; progress: { status: string; queues: Record<string, { due: number; running: number; idleMs: number; stalled: boolean }> } };
}
const health = async () => {
  const res = await fetch(`${base}/healthz`);
  return { code: res.status, body: (await res.json()) as Body };
};

describe('worker /healthz: liveness is progress', () => {
  it('stays 200 with empty queues, however long no job has run', async () => {
    expect(await health()).toMatchObject({ code: 200, body: { status: 'ok', checks: { postgres: { status: 'ok' }, redis: { status: 'ok' }, progress: { status: 'ok' } } } });
    await sleep(THRESHOLD_MS + 500);
    const idle = await health();
    expect(idle.code).toBe(200);
    expect(idle.body.reason).toBeUndefined();
    expect(idle.body.checks.progress.queues.search).toMatchObject({ due: 0, running: 0, stalled: false });
    expect(idle.body.checks.progress.queues.search!.idleMs).toBeGreaterThan(THRESHOLD_MS);
  });

  it('turns 503 with a reason when a job waits while the only search hangs, and 200 again once jobs move', async () => {
    api.hold();
    const first = await enqueueCycle(queues.search, { reviewId: 'live-a', sources: ['pubmed'], trigger: 'manual' });
    await until('the first search to wait on the upstream', async () => api.log.some((l) => l.path === '/count'));
    const second = await enqueueCycle(queues.search, { reviewId: 'live-b', sources: ['pubmed'], trigger: 'manual' });

    const stuck = await until('/healthz to report no progress', async () => {
      const h = await health();
      return h.code === 503 && h;
    }, THRESHOLD_MS + 5_000);
    expect(stuck.body).toMatchObject({
      status: 'unhealthy',
      checks: {
        postgres: { status: 'ok' },
        redis: { status: 'ok' },
        progress: { status: 'stalled', queues: { search: { due: 1, running: 1, stalled: true }, cycle: { stalled: false }, digest: { stalled: false } } },
      },
    });
    expect(stuck.body.reason).toMatch(/^search: 1 job\(s\) due but no search job started, finished or advanced in this worker for \d+\.\d s \(limit 1\.5 s\)$/);
    expect(stuck.body.checks.progress.queues.search!.idleMs).toBeGreaterThan(THRESHOLD_MS);

    api.release();
    await until('/healthz to be 200 again', async () => (await health()).code === 200, 10_000);
    for (const cycle of [first, second]) {
      const result = await waitForCycle(queues.search, db.database.db, cycle);
      expect(result.sources.map((s) => s.status)).toEqual(['ok']);
    }
    // Drained: nothing due, so no progress is fine again.
    await sleep(THRESHOLD_MS + 500);
    expect(await health()).toMatchObject({ code: 200, body: { status: 'ok', checks: { progress: { queues: { search: { due: 0, running: 0 } } } } } });
  });

  it('answers 404 on other paths', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
  });
});

describe('dueJobCounts', () => {
  // Its own prefix and no worker: jobs stay where they are put.
  const idle = randomPrefix();
  let q: Queues;
  beforeAll(() => void (q = openQueues(connection, idle)));
  afterAll(async () => {
    await closeQueues(q);
    const keys = await connection.keys(`${idle}:*`);
    if (keys.length) await connection.del(...keys);
  });

  it('counts waiting jobs and delayed ones whose time has come, not paused queues or future delays', async () => {
    expect(await dueJobCounts(q, connection)).toEqual({ cycle: 0, search: 0, digest: 0 });
    await q.digest.add('digest', { reviewId: 'x' });
    const delayed = await q.cycle.add('cycle', { reviewId: 'x' }, { delay: 60_000 });
    const now = Date.now();
    expect(await dueJobCounts(q, connection, now)).toEqual({ cycle: 0, search: 0, digest: 1 });
    // The delayed job is due from its timestamp + delay on, to the millisecond.
    const dueAt = delayed.timestamp + 60_000;
    expect((await dueJobCounts(q, connection, dueAt - 1)).cycle).toBe(0);
    expect((await dueJobCounts(q, connection, dueAt)).cycle).toBe(1);
    await q.digest.pause();
    expect((await dueJobCounts(q, connection, now)).digest).toBe(0);
    await q.digest.resume();
    expect((await dueJobCounts(q, connection, now)).digest).toBe(1);
  });
});
