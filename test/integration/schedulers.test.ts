import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadProtocols } from '../../src/config/protocol.js';
import { createLogger } from '../../src/log.js';
import { closeQueues, openQueues } from '../../src/queue/queues.js';
import { syncSchedulers } from '../../src/queue/schedulers.js';
import { queueState } from '../../src/queue/state.js';
import { freePort } from '../helpers/services.js';
import { randomPrefix, writeProtocols } from '../helpers/workers.js';

const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const prefix = randomPrefix();
const queues = openQueues(redis, prefix);
const log = createLogger('silent');
afterAll(async () => {
  await closeQueues(queues);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const protocols = (ids: string[], search: string) => loadProtocols(writeProtocols(ids, { search, digest: '0 8 * * 1' }).split(','));

describe('job schedulers', () => {
  it('follow the protocols: created, updated when the cron changes, removed with the review', async () => {
    expect(await syncSchedulers(queues, protocols(['rev-a', 'rev-b'], '0 6 * * *'), log)).toEqual({
      upserted: ['cycle/search-rev-a', 'digest/digest-rev-a', 'cycle/search-rev-b', 'digest/digest-rev-b'],
      removed: [],
    });
    // A second worker starting with the same protocols changes nothing.
    expect(await syncSchedulers(queues, protocols(['rev-a', 'rev-b'], '0 6 * * *'), log)).toEqual({ upserted: [], removed: [] });
    expect(await syncSchedulers(queues, protocols(['rev-a'], '0 7 * * *'), log)).toEqual({
      upserted: ['cycle/search-rev-a'],
      removed: ['cycle/search-rev-b', 'digest/digest-rev-b'],
    });
    expect((await queues.cycle.getJobScheduler('search-rev-a'))?.pattern).toBe('0 7 * * *');
    // Exactly one pending tick per scheduler.
    expect(await queues.cycle.getDelayedCount()).toBe(1);

    const state = await queueState(inject('redisUrl'), prefix);
    expect(state.reachable).toBe(true);
    if (!state.reachable) return;
    expect(Object.keys(state.queues).sort()).toEqual(['cycle', 'digest', 'search']);
    const next = state.schedules.find((s) => s.scheduler === 'search-rev-a')!;
    expect(new Date(next.next!).getUTCHours()).toBe(7);
  });

  it('status says Redis is unreachable quickly instead of hanging', async () => {
    const t0 = Date.now();
    const state = await queueState(`redis://127.0.0.1:${await freePort()}`, prefix, 1_000);
    expect(state).toMatchObject({ reachable: false, error: expect.stringMatching(/not reachable/) });
    expect(Date.now() - t0).toBeLessThan(2_500);
  });
});
