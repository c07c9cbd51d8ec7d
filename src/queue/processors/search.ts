import { WaitingError, type Job } from 'bullmq';
import { periodRun } from '../../db/queries/runs.js';
import { RetryableError } from '../../errors.js';
import { runCycle, type SourceResult } from '../../runs/cycle.js';
import { settleAbandonedRuns } from '../../runs/ownership.js';
import { searchPayload } from '../catalogue.js';
import { protocolOf, type JobContext } from '../context.js';
import { runResult } from '../enqueue.js';

/** One review and one source through `runCycle`: search, fetch and stage batch by batch. */
export function searchProcessor(ctx: JobContext) {
  return async (job: Job, token?: string, signal?: AbortSignal): Promise<SourceResult> => {
    const data = searchPayload.parse(job.data);
    const protocol = protocolOf(ctx.protocols, data.reviewId);
    const jobLog = ctx.log.child({ queue: 'search', jobId: job.id, attempt: job.attemptsStarted });
    const log = jobLog.child({ review: data.reviewId, source: data.source, cycleId: data.cycleId });

    // Postgres, not Redis, decides whether this period was searched: job history is trimmed.
    const runBy = `search job ${job.id}`;
    const previous = await periodRun(ctx.db, data.reviewId, data.source, data.period);
    if (previous?.status === 'ok') {
      log.info({ runId: previous.id, period: data.period }, 'period already searched; not searching again');
      return runResult(previous);
    }
    if (previous?.status === 'running') {
      // Usually a dead worker's run, its job taken over after the job lock expired. But a worker
      // that only stalled may still be running it: then it holds the run's lock, and this attempt
      // is retried later rather than failing a live run or searching the period twice at once.
      const settled = await settleAbandonedRuns(ctx.db, { reviewId: data.reviewId, source: data.source }, runBy);
      if (!settled.includes(previous.id)) throw new RetryableError(`run ${previous.id} of period ${data.period} is still going on in another process`);
      log.warn({ runId: previous.id }, 'run left by a stopped process marked failed; searching again');
    }

    const [source] = ctx.sources.create([data.source], ctx.hooks);
    let failure: unknown;
    const cycle = await runCycle({
      db: ctx.db,
      runBy,
      protocol,
      sources: [source!],
      onSourceError: (_, err) => void (failure ??= err),
      from: data.from,
      to: data.to,
      trigger: data.trigger,
      cycleId: data.cycleId,
      period: data.period,
      log: jobLog,
      signal,
    });
    const result = cycle.sources[0]!;
    if (signal?.aborted) {
      // Shutdown deadline: hand the job back untouched (no attempt used, no stall) for another worker.
      await job.moveToWait(token);
      log.warn('released to the queue at shutdown');
      throw new WaitingError();
    }
    // The error itself: permanent ones (a 4xx, a strategy the API cannot express) are not retried.
    if (result.status === 'failed') throw failure ?? new RetryableError(result.error ?? 'search failed');
    return result;
  };
}
