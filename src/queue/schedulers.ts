import type { Queue } from 'bullmq';
import type { Protocol } from '../config/protocol.js';
import type { Logger } from '../log.js';
import { JOB_NAMES, schedulerIds } from './catalogue.js';
import type { Queues } from './queues.js';

interface Wanted {
  queue: Queue;
  id: string;
  name: string;
  pattern: string;
  tz: string;
  reviewId: string;
}

function wanted(queues: Queues, protocols: Protocol[]): Wanted[] {
  return protocols.flatMap((p) => [
    { queue: queues.cycle, id: schedulerIds.search(p.id), name: JOB_NAMES.cycle, pattern: p.schedule.search, tz: p.schedule.timezone, reviewId: p.id },
    { queue: queues.digest, id: schedulerIds.digest(p.id), name: JOB_NAMES.digest, pattern: p.schedule.digest, tz: p.schedule.timezone, reviewId: p.id },
  ]);
}

export interface SyncResult {
  upserted: string[];
  removed: string[];
}

/**
 * Makes the job schedulers match the protocols: upserts a scheduler that is missing or whose
 * cron, time zone or template changed, removes those of reviews no longer configured. Unchanged
 * schedulers are left alone, so many workers syncing at once do not keep rewriting them.
 */
export async function syncSchedulers(queues: Queues, protocols: Protocol[], log: Logger): Promise<SyncResult> {
  const result: SyncResult = { upserted: [], removed: [] };
  const want = wanted(queues, protocols);
  for (const w of want) {
    const current = await w.queue.getJobScheduler(w.id);
    if (current && current.pattern === w.pattern && current.tz === w.tz && current.template?.data?.reviewId === w.reviewId) continue;
    await w.queue.upsertJobScheduler(w.id, { pattern: w.pattern, tz: w.tz }, { name: w.name, data: { reviewId: w.reviewId } });
    result.upserted.push(`${w.queue.name}/${w.id}`);
  }
  for (const queue of [queues.cycle, queues.digest]) {
    for (const s of await queue.getJobSchedulers(0, -1)) {
      const id = s.key;
      if (want.some((w) => w.queue === queue && w.id === id)) continue;
      await queue.removeJobScheduler(id);
      result.removed.push(`${queue.name}/${id}`);
    }
  }
  if (result.upserted.length + result.removed.length > 0) log.info(result, 'job schedulers synced with the protocols');
  return result;
}

export interface NextRun {
  queue: string;
  scheduler: string;
  pattern: string | undefined;
  tz: string | undefined;
  next: string | null;
}

export async function nextRuns(queues: Queues): Promise<NextRun[]> {
  const out: NextRun[] = [];
  for (const queue of [queues.cycle, queues.digest]) {
    for (const s of await queue.getJobSchedulers(0, -1, true)) {
      out.push({ queue: queue.name, scheduler: s.key, pattern: s.pattern, tz: s.tz, next: s.next ? new Date(s.next).toISOString() : null });
    }
  }
  return out;
}

