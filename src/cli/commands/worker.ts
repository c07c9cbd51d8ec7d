import { Command } from 'commander';
import { loadEnv } from '../../config/env.js';
import { runWorkerProcess } from '../../queue/process.js';
import { registryProvider } from '../../sources/registry.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description('start the BullMQ workers and upsert the job schedulers from each protocol (needs REDIS_URL)')
    .option('--shutdown-timeout <ms>', 'on SIGTERM/SIGINT, how long in-flight jobs may finish before they are handed back', (v) => Number(v))
    .action(async (opts: { shutdownTimeout?: number }) => {
      await runWorkerProcess({
        sources: registryProvider(loadEnv()),
        tuning: opts.shutdownTimeout ? { shutdownMs: opts.shutdownTimeout } : {},
      });
    });
}
