import { DelayedError, type Job, type Queue } from 'bullmq';
import { digestPayload, searchPayload, tickOf } from '../catalogue.js';
import { protocolOf, type JobContext } from '../context.js';

const PENDING = ['active', 'waiting', 'delayed', 'prioritized', 'waiting-children'] as const;

/** When a queued job of the review is due: its scheduled tick, or when it was added (manual). */
function dueAt(job: Job): number {
  const search = searchPayload.safeParse(job.data);
  if (search.success) return search.data.trigger === 'schedule' ? Date.parse(search.data.period) : job.timestamp;
  return Date.parse(tickOf(job));
}

async function pendingOf(queue: Queue, reviewId: string, until: number): Promise<string[]> {
  const jobs = await queue.getJobs([...PENDING]);
  return jobs.filter((j) => j?.data?.reviewId === reviewId && dueAt(j) <= until).map((j) => j.id!);
}

/**
 * A digest tick. It goes out only after the review's searches due by then have finished or
 * finally failed. An explicit check rather than a BullMQ flow: search and digest run on two
 * independent crons (daily searches, a weekly digest), a flow parent can only wait for children
 * it was created with, and a search that started from another trigger (or was deduplicated into
 * one already running) is no child of the digest. So the digest looks at what is still queued,
 * active or backing off for its review, and if anything is, puts itself back as delayed (no
 * attempt used) and looks again later; after `digestMaxWaitMs` it goes out regardless.
 */
export function digestProcessor(ctx: JobContext) {
  return async (job: Job, token?: string): Promise<{ period: string; sent: number }> => {
    const { reviewId } = digestPayload.parse(job.data);
    protocolOf(ctx.protocols, reviewId);
    const period = tickOf(job);
    const log = ctx.log.child({ queue: 'digest', jobId: job.id, review: reviewId, period });
    const tick = Date.parse(period);
    const pending = [
      ...(await pendingOf(ctx.queues.cycle, reviewId, tick)),
      ...(await pendingOf(ctx.queues.search, reviewId, tick)),
    ];
    if (pending.length > 0) {
      if (Date.now() - tick < ctx.tuning.digestMaxWaitMs) {
        log.info({ pending }, 'searches of the period still pending; digest waits');
        await job.moveToDelayed(Date.now() + ctx.tuning.digestRecheckMs, token);
        throw new DelayedError();
      }
      log.warn({ pending }, 'searches still pending after the longest wait; sending the digest anyway');
    }
    const { sent } = await ctx.sendDigests(reviewId, period);
    ctx.counters.add('digest_sends', { review: reviewId }, sent);
    log.info({ sent }, 'digests sent');
    return { period, sent };
  };
}
