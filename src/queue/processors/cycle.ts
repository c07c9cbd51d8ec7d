import type { Job } from 'bullmq';
import { schedulePeriod } from '../../digest/period.js';
import { compactTime, cyclePayload, tickOf } from '../catalogue.js';
import { protocolOf, type JobContext } from '../context.js';
import { enqueueCycle, type EnqueuedCycle } from '../enqueue.js';

/** A scheduled search tick: one search job per enabled source, all of the tick's period. */
export function cycleProcessor(ctx: JobContext) {
  return async (job: Job): Promise<EnqueuedCycle> => {
    const { reviewId } = cyclePayload.parse(job.data);
    const protocol = protocolOf(ctx.protocols, reviewId);
    // The tick as the schedule has it: a second firing of a repeated autumn hour is the same period.
    const period = schedulePeriod(protocol.schedule.search, protocol.schedule.timezone, new Date(tickOf(job))).toISOString();
    const cycle = await enqueueCycle(ctx.queues.search, {
      reviewId,
      sources: ctx.sources.select(protocol),
      trigger: 'schedule',
      period,
      // Deterministic, so a duplicate tick joins the same cycle.
      cycleId: `sched-${reviewId}-${compactTime(period)}`,
    });
    ctx.log.info({ queue: 'cycle', jobId: job.id, review: reviewId, cycleId: cycle.cycleId, period, jobs: cycle.jobs }, 'scheduled searches enqueued');
    return cycle;
  };
}
