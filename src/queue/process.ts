import { loadContext, openDbContext } from '../context.js';
import { PermanentError, oneLine } from '../errors.js';
import type { SourceProvider } from '../sources/provider.js';
import type { SendDigests, WorkerTuning } from './context.js';
import { startWorkers } from './worker.js';

export interface WorkerProcessOptions {
  sources: SourceProvider;
  /** Default: not wired in this build, so a digest job fails at once saying so. */
  sendDigests?: SendDigests;
  tuning?: Partial<WorkerTuning>;
}

const digestsNotWired: SendDigests = async () => {
  throw new PermanentError('digest sending is not wired into the worker in this build');
};

/**
 * The `worker` process: configuration, database, workers, then signals. The first SIGTERM or
 * SIGINT shuts down gracefully (see `RunningWorkers.close`) and closes Redis and Postgres; a
 * second one exits at once. A crash exits non-zero: the jobs it held stall and are taken over.
 */
export async function runWorkerProcess(opts: WorkerProcessOptions): Promise<void> {
  const app = loadContext();
  const ctx = await openDbContext(app);
  let running;
  try {
    running = await startWorkers({
      env: app.env,
      protocols: app.protocols,
      log: app.log,
      db: ctx.database.db,
      sources: opts.sources,
      sendDigests: opts.sendDigests ?? digestsNotWired,
      tuning: opts.tuning,
    });
  } catch (err) {
    await ctx.close();
    throw err;
  }
  const crash = (what: string) => (err: unknown) => {
    app.log.fatal({ err: oneLine(err) }, what);
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
      running
        .close()
        .finally(() => ctx.close())
        // Exit now: an upstream client's keep-alive socket or timer must not hold the process
        // past the deadline once the jobs are finished or handed back.
        .then(() => process.exit(0), crash('shutdown failed'));
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
}
