import { WaitingError, type Job } from 'bullmq';
import { abandonRun, periodRun } from '../../db/queries/runs.js';
import { RetryableError } from '../../errors.js';
import { runCycle, type SourceResult } from '../../runs/cycle.js';
import { captureSourceErrors } from '../capture.js';
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
    const previous = await periodRun(ctx.db, data.reviewId, data.source, data.period);
    if (previous?.status === 'ok') {
      log.info({ runId: previous.id, period: data.period }, 'period already searched; not searching again');
      return runResult(previous);
    }
    if (previous?.status === 'running') {
      // The job lock says no one else runs this job now: the run row is a dead worker's.
      await abandonRun(ctx.db, previous.id, `abandoned: the worker stopped during job ${job.id}; retried`);
      log.warn({ runId: previous.id }, 'run left by a stopped worker marked failed; searching again');
    }

    const [source] = ctx.sources.create([data.source], ctx.hooks);
    const captured = captureSourceErrors(source!);
    const cycle = await runCycle({
      db: ctx.db,
      protocol,
      sources: [captured.source],
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
    if (result.status === 'failed') throw captured.error() ?? new RetryableError(result.error ?? 'search failed');
    return result;
  };
}
