// The period a scheduled search tick belongs to, through the cycle processor and real Redis queues.
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { createLogger } from '../../src/log.js';
import { packageRoot } from '../../src/paths.js';
import { connectRedis } from '../../src/queue/connection.js';
import type { JobContext } from '../../src/queue/context.js';
import { cycleProcessor } from '../../src/queue/processors/cycle.js';
import { closeQueues, openQueues } from '../../src/queue/queues.js';
import type { SourceProvider } from '../../src/sources/provider.js';
import { randomPrefix } from '../helpers/workers.js';

const redis = connectRedis(inject('redisUrl'), 'producer');
const queues = openQueues(redis, randomPrefix());
afterAll(async () => {
  await closeQueues(queues);
  redis.disconnect();
});

describe('scheduled search ticks', () => {
  it('a tick BullMQ fires again in the repeated autumn hour joins the cycle of the first', async () => {
    // Daily 01:30 London: on 25 October 2026 it is 00:30Z (BST), and a job picked up after 01:00Z
    // makes BullMQ schedule the second 01:30 (01:30Z) too.
    const shipped = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
    const protocol = { ...shipped, schedule: { ...shipped.schedule, search: '30 1 * * *', timezone: 'Europe/London' } };
    const sources = { select: () => ['pubmed'] } as unknown as SourceProvider;
    const ctx = { protocols: [protocol], queues, sources, log: createLogger('silent') } as unknown as JobContext;
    const tick = (iso: string) => ({ data: { reviewId: protocol.id }, opts: { prevMillis: Date.parse(iso) }, timestamp: Date.parse(iso) }) as unknown as Job;
    const first = await cycleProcessor(ctx)(tick('2026-10-25T00:30:00Z'));
    const again = await cycleProcessor(ctx)(tick('2026-10-25T01:30:00Z'));
    expect(again.cycleId).toBe(first.cycleId);
    expect(again.jobs).toEqual(first.jobs);
    const [job] = await queues.search.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(job?.data.period).toBe('2026-10-25T00:30:00.000Z');
    expect(await queues.search.count()).toBe(1);
  });
});
