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
    // 0.0.0.0 by default so an orchestrator's probe can reach it; compose probes from inside the container.
    .option('--health-host <addr>', 'with --health-port: the address to listen on (default: 0.0.0.0; 127.0.0.1 for a probe run inside the container)')
    .option(
      '--progress-timeout <ms>',
      `with --health-port: how long jobs may be due while this worker starts, finishes or advances none before /healthz answers 503 (default: ${DEFAULT_PROGRESS_TIMEOUT_MS})`,
      milliseconds,
    )
    .action(async (opts: { shutdownTimeout?: number; healthPort?: number; healthHost?: string; progressTimeout?: number }) => {
      if (opts.progressTimeout !== undefined && opts.healthPort === undefined) {
        throw new ConfigError('--progress-timeout needs --health-port: it only changes what GET /healthz reports');
      }
      if (opts.healthHost !== undefined && opts.healthPort === undefined) {
        throw new ConfigError('--health-host needs --health-port: it only says where GET /healthz listens');
      }
      await runWorkerProcess({
        sources: registryProvider(loadEnv()),
        tuning: opts.shutdownTimeout ? { shutdownMs: opts.shutdownTimeout } : {},
        ...(opts.healthPort !== undefined ? { health: { port: opts.healthPort, host: opts.healthHost, progressTimeoutMs: opts.progressTimeout } } : {}),
      });
    });
}
