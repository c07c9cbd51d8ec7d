import type { AppEnv } from '../config/env.js';
import type { Protocol } from '../config/protocol.js';
import { requireSecret } from '../config/secret.js';
import { loadContext, openDbContext } from '../context.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../log.js';
import { mailerFor, runDigestOnce } from '../digest/run.js';
import { PermanentError, RetryableError, errorFields } from '../errors.js';
import { startWorkerHealthServer, type WorkerHealthServer } from '../ops/worker-health.js';
import type { SourceProvider } from '../sources/provider.js';
import { DEFAULT_TUNING, type SendDigests, type WorkerTuning } from './context.js';
import { DEFAULT_PROGRESS_TIMEOUT_MS } from './liveness.js';
import { RELEASE_MS, startWorkers, type RunningWorkers } from './worker.js';

/** Past the release of jobs, for closing Redis, the health server and Postgres. */
const HARD_STOP_MARGIN_MS = 10_000;

export interface WorkerProcessOptions {
  sources: SourceProvider;
  /** Default: the outbox of src/digest, for the job's period. */
  sendDigests?: SendDigests;
  tuning?: Partial<WorkerTuning>;
  /** Serve GET /healthz (liveness = jobs make progress) on this port; none: no HTTP server. */
  health?: { port: number; host?: string | undefined; progressTimeoutMs?: number | undefined };
}

/**
 * The same code as `digest --once`, for the job's scheduled tick: the period is computed at the
 * tick, so a retried or duplicated job finds the outbox rows it wrote and sends nothing twice.
 * Digests left waiting for an SMTP retry fail the job, so BullMQ retries it with backoff.
 */
function outboxDigests(database: Database, env: AppEnv, protocols: Protocol[], secret: string, log: Logger): SendDigests {
  const mailer = mailerFor(env);
  return async (reviewId, period) => {
    const protocol = protocols.find((p) => p.id === reviewId);
    if (!protocol) throw new PermanentError(`review ${reviewId} is no longer configured`);
    const report = await runDigestOnce({ database, env, secret, mailer, log, now: () => new Date(period) }, [protocol]);
    if (report.retrying.length > 0) throw new RetryableError(`${report.retrying.length} digest(s) wait for an SMTP retry`);
    return { sent: report.sent.length };
  };
}

/**
 * The `worker` process: configuration, database, workers, then signals. The first SIGTERM or
 * SIGINT shuts down gracefully (see `RunningWorkers.close`) and closes Redis and Postgres; a
 * second one exits at once. A crash exits non-zero: the jobs it held stall and are taken over.
 */
export async function runWorkerProcess(opts: WorkerProcessOptions): Promise<void> {
  const app = loadContext();
  // Workers send digests, whose links need the signing key: refuse to start without it.
  const secret = requireSecret(app.env);
  const ctx = await openDbContext(app);
  let running: RunningWorkers | undefined;
  let health: WorkerHealthServer | undefined;
  try {
    running = await startWorkers({
      env: app.env,
      protocols: app.protocols,
      log: app.log,
      db: ctx.database.db,
      sources: opts.sources,
      sendDigests: opts.sendDigests ?? outboxDigests(ctx.database, app.env, app.protocols, secret, app.log),
      tuning: opts.tuning,
    });
    if (opts.health) {
      const thresholdMs = opts.health.progressTimeoutMs ?? DEFAULT_PROGRESS_TIMEOUT_MS;
      health = await startWorkerHealthServer({
        db: ctx.database.db,
        redisUrl: app.env.REDIS_URL,
        prefix: app.env.QUEUE_PREFIX,
        progress: running.progress,
        thresholdMs,
        log: app.log,
        port: opts.health.port,
        ...(opts.health.host ? { host: opts.health.host } : {}),
      });
      app.log.info({ host: health.host, port: health.port, progressTimeoutMs: thresholdMs }, 'health endpoint listening');
    }
  } catch (err) {
    await running?.close();
    await ctx.close();
    throw err;
  }
  const workers = running;
  const crash = (what: string) => (err: unknown) => {
    app.log.fatal(errorFields(err), what);
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
  await new Promise<never>(() => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        app.log.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      // Whatever hangs (Redis away, a database client held by a stuck job), the process ends
      // before an orchestrator's SIGKILL: jobs not handed back by then stall and are taken over.
      const hardMs = { ...DEFAULT_TUNING, ...opts.tuning }.shutdownMs + RELEASE_MS + HARD_STOP_MARGIN_MS;
      setTimeout(() => {
        app.log.error({ afterMs: hardMs }, 'shutdown did not finish; exiting');
        process.exit(1);
      }, hardMs).unref();
      workers
        .close()
        .finally(() => health?.close())
        .finally(() => ctx.close())
        // Exit now: an upstream client's keep-alive socket or timer must not hold the process
        // past the deadline once the jobs are finished or handed back.
        .then(() => process.exit(0), crash('shutdown failed'));
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
}
