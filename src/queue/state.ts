import { ALL_QUEUES } from './catalogue.js';
import { connectRedis, describeRedis, waitReady } from './connection.js';
import { closeQueues, openQueues } from './queues.js';
import { nextRuns, type NextRun } from './schedulers.js';

export type QueueState =
  | { reachable: true; queues: Record<string, Record<string, number>>; schedules: NextRun[] }
  | { reachable: false; error: string };

/** Job counts per queue and the next scheduled ticks; a short connect timeout, never a hang. */
export async function queueState(redisUrl: string, prefix: string, timeoutMs = 1_500): Promise<QueueState> {
  const redis = connectRedis(redisUrl, 'probe', { connectTimeout: timeoutMs, retryStrategy: () => null });
  try {
    await waitReady(redis, timeoutMs);
  } catch {
    redis.disconnect();
    return { reachable: false, error: `Redis at ${describeRedis(redisUrl)} is not reachable` };
  }
  const queues = openQueues(redis, prefix);
  try {
    const counts: Record<string, Record<string, number>> = {};
    for (const name of ALL_QUEUES) counts[name] = await queues[name].getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
    return { reachable: true, queues: counts, schedules: await nextRuns(queues) };
  } finally {
    await closeQueues(queues);
    redis.disconnect();
  }
}
