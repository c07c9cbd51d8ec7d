import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, type Queue } from 'bullmq';
import type { Db } from '../db/client.js';
import { cycleRun, type SearchRunRow } from '../db/queries/runs.js';
import type { CycleResult, SourceResult } from '../runs/cycle.js';
import type { ApiSourceName } from '../sources/types.js';
import { JOB_NAMES, searchDedupId, searchJobId, searchPayload, type SearchPayload } from './catalogue.js';

export interface CycleRequest {
  reviewId: string;
  sources: ApiSourceName[];
  trigger: SearchPayload['trigger'];
  /** The scheduled tick (ISO) with its cycle id; both left out for a manual cycle. */
  period?: string;
  cycleId?: string;
  from?: string | undefined;
  to?: string | undefined;
}

export interface EnqueuedCycle {
  reviewId: string;
  cycleId: string;
  jobs: { source: ApiSourceName; jobId: string }[];
}

/**
 * Fans a cycle out into one search job per source. The job id makes a repeated tick of the same
 * period a no-op while the job is kept; the deduplication id makes any trigger a no-op while a
 * search of that review and source is waiting or running; then the id of the job already
 * there is returned, so `run --enqueue --wait` waits for the run that is actually going on.
 */
export async function enqueueCycle(queue: Queue, req: CycleRequest): Promise<EnqueuedCycle> {
  const cycleId = req.cycleId ?? `manual-${randomUUID()}`;
  // A manual cycle is its own period: a re-delivered job of it never runs the search twice.
  const period = req.period ?? cycleId;
  const jobs = [];
  for (const source of req.sources) {
    const data = searchPayload.parse({ reviewId: req.reviewId, source, cycleId, trigger: req.trigger, period, from: req.from, to: req.to });
    const job = await queue.add(JOB_NAMES.search, data, {
      jobId: searchJobId(data),
      deduplication: { id: searchDedupId(data) },
    });
    jobs.push({ source, jobId: job.id! });
  }
  return { reviewId: req.reviewId, cycleId, jobs };
}

export function runResult(row: SearchRunRow): SourceResult {
  return {
    source: row.source,
    status: row.status === 'ok' ? 'ok' : 'failed',
    query: row.query,
    from: row.windowFrom,
    to: row.windowTo,
    identified: row.identified,
    fetched: row.fetched,
    new: row.newWorks,
    duplicates: row.duplicates,
    error: row.status === 'running' ? 'still running' : row.error,
  };
}

/**
 * Waits until every job of the cycle has completed or finally failed, then reports the cycle as
 * `run --once` does, from the run rows. Polls job state rather than subscribing to QueueEvents:
 * a poll survives a Redis reconnect, a stream consumer can miss the event.
 */
export async function waitForCycle(queue: Queue, db: Db, cycle: EnqueuedCycle, opts: { pollMs?: number; signal?: AbortSignal } = {}): Promise<CycleResult> {
  const sources: SourceResult[] = [];
  for (const { source, jobId } of cycle.jobs) {
    let job: Job | undefined;
    for (;;) {
      opts.signal?.throwIfAborted();
      job = await Job.fromId(queue, jobId);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'completed' || state === 'failed' || state === 'unknown') break;
      await sleep(opts.pollMs ?? 500, undefined, { signal: opts.signal });
    }
    // A deduplicated request waits for the job already there, which may belong to another cycle.
    const cycleId = (job?.data as SearchPayload | undefined)?.cycleId ?? cycle.cycleId;
    const row = await cycleRun(db, cycleId, source);
    sources.push(
      row
        ? runResult(row)
        : { source, status: 'failed', query: '', from: '', to: '', identified: 0, fetched: 0, new: 0, duplicates: 0, error: job?.failedReason ?? 'the job ended without a run' },
    );
  }
  return { review: cycle.reviewId, runId: cycle.cycleId, sources, staged: sources.reduce((n, s) => n + s.new, 0) };
}
