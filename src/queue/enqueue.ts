import { randomUUID } from 'node:crypto';
import { Job, type Queue } from 'bullmq';
import type { Db } from '../db/client.js';
import { cycleRuns, type SearchRunRow } from '../db/queries/runs.js';
import { combineAttempts } from '../runs/attempts.js';
import type { CycleResult, SourceResult } from '../runs/cycle.js';
import { sleep } from '../sources/http/rate-limiter.js';
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
  /**
   * Sources whose requested window was not queued: a search of that review and source was already
   * waiting or running with another window, and it is the one that runs.
   */
  windowsNotQueued: { source: ApiSourceName; jobId: string; queued: { from?: string; to?: string } }[];
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
  const windowsNotQueued: EnqueuedCycle['windowsNotQueued'] = [];
  for (const source of req.sources) {
    const data = searchPayload.parse({ reviewId: req.reviewId, source, cycleId, trigger: req.trigger, period, from: req.from, to: req.to });
    const job = await queue.add(JOB_NAMES.search, data, {
      jobId: searchJobId(data),
      deduplication: { id: searchDedupId(data) },
    });
    jobs.push({ source, jobId: job.id! });
    if (job.id !== searchJobId(data) && (req.from !== undefined || req.to !== undefined)) {
      const there = (await Job.fromId(queue, job.id!))?.data as SearchPayload | undefined;
      if (there && (there.from !== req.from || there.to !== req.to)) {
        windowsNotQueued.push({ source, jobId: job.id!, queued: { ...(there.from ? { from: there.from } : {}), ...(there.to ? { to: there.to } : {}) } });
      }
    }
  }
  return { reviewId: req.reviewId, cycleId, jobs, windowsNotQueued };
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
    warnings: row.warnings,
  };
}

export interface WaitOptions {
  pollMs?: number;
  signal?: AbortSignal;
  /** The queue's Redis connection: an error while it is not ready is Redis away, waited out. */
  connection?: { readonly status: string };
  /** Redis as the error names it (host:port), and how long it may stay unreachable. */
  redis?: string;
  redisDownMs?: number;
}

/**
 * Waits until every job of the cycle has completed or finally failed, then reports the cycle as
 * `run --once` does, from the run rows: a search retried within the cycle is reported once, from
 * all its attempts. Polls job state rather than subscribing to QueueEvents: a poll rides out a
 * Redis outage (the workers carry on meanwhile), a stream consumer can miss the event.
 */
export async function waitForCycle(queue: Queue, db: Db, cycle: EnqueuedCycle, opts: WaitOptions = {}): Promise<CycleResult> {
  const sources: SourceResult[] = [];
  for (const { source, jobId } of cycle.jobs) {
    const { job, state } = await settled(queue, jobId, opts);
    // A deduplicated request waits for the job already there, which may belong to another cycle.
    const cycleId = (job?.data as SearchPayload | undefined)?.cycleId ?? cycle.cycleId;
    const attempts = await cycleRuns(db, cycleId, source);
    const last = attempts.at(-1);
    if (!last) {
      sources.push({ source, status: 'failed', query: '', from: '', to: '', identified: 0, fetched: 0, new: 0, duplicates: 0, error: job?.failedReason ?? 'the job ended without a run', warnings: [] });
      continue;
    }
    const counts = combineAttempts(attempts);
    const result = { ...runResult(last), identified: counts.identified, fetched: counts.fetched, new: counts.newWorks, duplicates: counts.duplicates };
    // The job gave up while its last run was left running (its worker died): the job says why.
    if (state === 'failed' && last.status === 'running') Object.assign(result, { status: 'failed', error: job?.failedReason ?? result.error });
    sources.push(result);
  }
  return { review: cycle.reviewId, runId: cycle.cycleId, sources, staged: sources.reduce((n, s) => n + s.new, 0) };
}

async function settled(queue: Queue, jobId: string, opts: WaitOptions): Promise<{ job: Job | undefined; state: string }> {
  let downSince: number | undefined;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const job = await Job.fromId(queue, jobId);
      const state = job ? await job.getState() : 'unknown';
      downSince = undefined;
      if (state === 'completed' || state === 'failed' || state === 'unknown') return { job, state };
    } catch (err) {
      // Only Redis going away is waited out; any other error is a bug to show now.
      if (opts.connection?.status === 'ready') throw err;
      downSince ??= Date.now();
      if (Date.now() - downSince > (opts.redisDownMs ?? 300_000)) {
        throw new Error(`lost Redis at ${opts.redis ?? 'REDIS_URL'} while waiting for job ${jobId} (${(err as Error).message}); the workers may still finish it: see \`status\``);
      }
    }
    // This sleep, not node's: an interruption ends the wait with its reason, not 'The operation was aborted'.
    await sleep(opts.pollMs ?? 500, opts.signal);
  }
}
