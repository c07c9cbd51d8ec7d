import { Command } from 'commander';
import { loadEnv } from '../../config/env.js';
import { ConfigError } from '../../errors.js';
import { DEFAULT_PROGRESS_TIMEOUT_MS } from '../../queue/liveness.js';
import { runWorkerProcess } from '../../queue/process.js';
import { registryProvider } from '../../sources/registry.js';
import { milliseconds, port } from '../options.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description('start the BullMQ workers and upsert the job schedulers from each protocol (needs REDIS_URL)')
    .option('--shutdown-timeout <ms>', 'on SIGTERM/SIGINT, how long in-flight jobs may finish before they are handed back', milliseconds)
    .option('--health-port <n>', 'serve GET /healthz on this port: 503 when Postgres or Redis is down, or when jobs are due but none makes progress (see --progress-timeout)', port)
    .option(
      '--progress-timeout <ms>',
      `with --health-port: how long jobs may be due while this worker starts, finishes or advances none before /healthz answers 503 (default: ${DEFAULT_PROGRESS_TIMEOUT_MS})`,
      milliseconds,
    )
    .action(async (opts: { shutdownTimeout?: number; healthPort?: number; progressTimeout?: number }) => {
      if (opts.progressTimeout !== undefined && opts.healthPort === undefined) {
        throw new ConfigError('--progress-timeout needs --health-port: it only changes what GET /healthz reports');
      }
      await runWorkerProcess({
        sources: registryProvider(loadEnv()),
        tuning: opts.shutdownTimeout ? { shutdownMs: opts.shutdownTimeout } : {},
        ...(opts.healthPort !== undefined ? { health: { port: opts.healthPort, progressTimeoutMs: opts.progressTimeout } } : {}),
      });
    });
}
