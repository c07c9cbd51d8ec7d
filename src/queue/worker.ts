import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { AppEnv } from '../config/env.js';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { errorFields, oneLine } from '../errors.js';
import type { Logger } from '../log.js';
import { createCounterStore } from '../ops/counters.js';
import type { SourceProvider } from '../sources/provider.js';
import { createRedisRateLimiter } from '../sources/http/redis-rate-limiter.js';
import { QUEUE_NAMES } from './catalogue.js';
import { assertNoEviction, assertRedisVersion, assertWorkerConnection, connectRedis, describeRedis, waitReady } from './connection.js';
import { DEFAULT_TUNING, type JobContext, type SendDigests, type WorkerTuning } from './context.js';
import { createProgressTracker, tracked, type ProgressTracker } from './liveness.js';
import { cycleProcessor } from './processors/cycle.js';
import { digestProcessor } from './processors/digest.js';
import { searchProcessor } from './processors/search.js';
import { closeQueues, openQueues } from './queues.js';
import { syncSchedulers } from './schedulers.js';
import { assertPackageVersions } from './versions.js';

/** After the shutdown deadline, how long cancelled jobs get to hand themselves back (compose allows 60 s in all). */
export const RELEASE_MS = 15_000;
/** With Redis away, closing the queues and QUIT never settle (the connection retries for ever). */
const REDIS_CLOSE_MS = 2_000;

/**
 * How long the attempt that just ended took. BullMQ sets finishedOn only when the job ends, so a
 * failed attempt that will be retried has none: it ends now, when its 'failed' event fires.
 */
export function attemptSeconds(job: Pick<Job, 'processedOn' | 'finishedOn'>, now = Date.now()): number {
  if (!job.processedOn) return 0;
  return ((job.finishedOn || now) - job.processedOn) / 1000;
}

export interface WorkerDeps {
  env: AppEnv;
  protocols: Protocol[];
  log: Logger;
  db: Db;
  sources: SourceProvider;
  sendDigests: SendDigests;
  tuning?: Partial<WorkerTuning>;
}

export interface RunningWorkers {
  /** Job starts, ends and advances of this process's workers, for the liveness check. */
  progress: ProgressTracker;
  /** Stops taking jobs, lets in-flight ones finish until the deadline, then releases them. */
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<RunningWorkers> {
  // Options left undefined keep their defaults.
  const given = Object.fromEntries(Object.entries(deps.tuning ?? {}).filter(([, v]) => v !== undefined));
  const tuning: WorkerTuning = { ...DEFAULT_TUNING, ...given };
  const prefix = deps.env.QUEUE_PREFIX;
  const where = describeRedis(deps.env.REDIS_URL);
  // Startup guards (RELIABILITY_NOTES R8): each refuses with a one-line ConfigError.
  assertPackageVersions();
  const connection = connectRedis(deps.env.REDIS_URL, 'worker');
  try {
    assertWorkerConnection(connection);
    await waitReady(connection, 10_000).catch((err: Error) => {
      throw new Error(`cannot connect to Redis at ${where} (${err.message})`);
    });
    await assertNoEviction(connection, where);
    await assertRedisVersion(connection, where);
  } catch (err) {
    connection.disconnect();
    throw err;
  }
  const log = deps.log.child({ prefix });
  const queues = openQueues(connection, prefix);
  const counters = createCounterStore(connection, prefix, (err) => log.debug({ err: oneLine(err) }, 'metric not recorded'));
  const progress = createProgressTracker();
  const ctx: JobContext = {
    db: deps.db,
    protocols: deps.protocols,
    log,
    queues,
    sources: deps.sources,
    hooks: {
      limiter: (source, perSecond) => createRedisRateLimiter(connection, { key: `${prefix}:ratelimit:${source}`, perSecond }),
      onResponse: (source, status) => {
        counters.add('api_responses', { source, code: String(status) });
        // Only search jobs call upstream APIs: a response means a running search is moving.
        progress.advanced('search');
      },
    },
    sendDigests: deps.sendDigests,
    counters,
    tuning,
  };

  try {
    await syncSchedulers(queues, deps.protocols, log);
  } catch (err) {
    // Nothing started: let go of Redis, or the failed process would hang on its open connection.
    await closeQueues(queues).catch(() => {});
    connection.disconnect();
    throw err;
  }
  const sync = setInterval(() => {
    syncSchedulers(queues, deps.protocols, log).catch((err) => log.warn({ err: oneLine(err) }, 'scheduler sync failed; next try later'));
  }, tuning.schedulerSyncMs);
  sync.unref();

  const processors = { cycle: cycleProcessor(ctx), search: searchProcessor(ctx), digest: digestProcessor(ctx) };
  const workers = (Object.keys(processors) as (keyof typeof processors)[]).map((name) => {
    const worker = new Worker(QUEUE_NAMES[name], tracked(progress, name, processors[name]), {
      connection,
      prefix,
      concurrency: tuning.concurrency[name],
      lockDuration: tuning.lockDuration,
      stalledInterval: tuning.stalledInterval,
      // A stall is a worker that died or was killed holding the job (a deploy, an OOM kill); the
      // run's Postgres lock keeps a retry from searching twice, so a job survives two of them.
      maxStalledCount: 2,
      // close() waits out the blocking poll for new jobs: 1 s instead of 5 keeps shutdown prompt,
      // for one cheap BZPOPMIN a second per idle queue.
      drainDelay: 1,
    });
    const jobLog = (job: Job | undefined) => log.child({ queue: name, jobId: job?.id, review: job?.data?.reviewId, source: job?.data?.source });
    const timing = (job: Job, status: string) => {
      counters.add('jobs', { queue: name, status });
      counters.add('job_seconds', { queue: name, status }, attemptSeconds(job));
    };
    worker.on('completed', (job) => {
      timing(job, 'completed');
      jobLog(job).info({ attempt: job.attemptsStarted }, 'job completed');
    });
    worker.on('failed', (job, err) => {
      if (job) timing(job, 'failed');
      const final = !job || err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      jobLog(job).error({ ...errorFields(err), cause: err.name, attempt: job?.attemptsStarted, final }, final ? 'job failed' : 'job failed; will retry');
    });
    worker.on('stalled', (jobId) => log.warn({ queue: name, jobId }, 'job stalled (its worker stopped); taken up again'));
    worker.on('error', (err) => log.error({ queue: name, err: oneLine(err) }, 'worker error'));
    return worker;
  });
  log.info({ redis: where, queues: Object.values(QUEUE_NAMES), reviews: deps.protocols.map((p) => p.id) }, 'workers started');

  return {
    progress,
    async close() {
      clearInterval(sync);
      const closing = Promise.all(workers.map((w) => w.close()));
      const finished = await Promise.race([closing.then(() => true), sleep(tuning.shutdownMs).then(() => false)]);
      if (!finished) {
        log.warn({ deadlineMs: tuning.shutdownMs }, 'shutdown deadline reached; releasing in-flight jobs');
        for (const w of workers) w.cancelAllJobs('shutdown');
        // A search stops after the batch it is staging; releasing needs Redis. If either takes
        // longer, the job's lock expires and another worker takes it over (one of its stalls).
        await Promise.race([closing, sleep(RELEASE_MS)]);
      }
      await Promise.race([closeQueues(queues).catch(() => {}), sleep(REDIS_CLOSE_MS)]);
      await Promise.race([connection.quit().catch(() => {}), sleep(REDIS_CLOSE_MS)]);
      connection.disconnect();
      log.info('workers stopped');
    },
  };
}
