import { Command } from 'commander';
import { loadContext, openDbContext, type DbContext } from '../../context.js';
import { runCycle, type CycleResult } from '../../runs/cycle.js';
import { connectRedis, describeRedis, waitReady } from '../../queue/connection.js';
import { enqueueCycle, waitForCycle } from '../../queue/enqueue.js';
import { closeQueues, openQueues } from '../../queue/queues.js';
import { createSources, parseSourceList } from '../../sources/registry.js';
import type { ApiSourceName } from '../../sources/types.js';
import { interruptible } from '../interrupt.js';
import { createProgressDisplay } from '../progress.js';
import { isoDate } from '../options.js';

interface RunOptions {
  once?: boolean;
  enqueue?: boolean;
  wait?: boolean;
  review?: string;
  sources?: string;
  from?: string;
  to?: string;
  json?: boolean;
}

const SHOWN_WARNINGS = 5;

function summary(r: CycleResult): string {
  const lines = r.sources.map(
    (s) =>
      `${s.source} ${s.from}..${s.to}: ${s.status}, identified ${s.identified}, fetched ${s.fetched}, new ${s.new}, duplicates ${s.duplicates}` +
      (s.error ? ` (${s.error})` : '') +
      s.warnings.slice(0, SHOWN_WARNINGS).map((w) => `\n  warning: ${w}`).join('') +
      (s.warnings.length > SHOWN_WARNINGS ? `\n  … and ${s.warnings.length - SHOWN_WARNINGS} more warning(s) (--json lists them all)` : ''),
  );
  return `${lines.join('\n')}\nstaged ${r.staged} new candidate(s) for ${r.review} (run ${r.runId})\n`;
}

/** `run --enqueue [--wait]`: the cycle goes to the workers; with --wait, reports like --once. */
async function enqueue(ctx: DbContext, reviewId: string, sources: ApiSourceName[], opts: RunOptions): Promise<void> {
  const redis = connectRedis(ctx.env.REDIS_URL, 'producer');
  const queues = openQueues(redis, ctx.env.QUEUE_PREFIX);
  const interrupt = interruptible();
  try {
    await waitReady(redis, 5_000).catch(() => {
      throw new Error(`cannot connect to Redis at ${describeRedis(ctx.env.REDIS_URL)}`);
    });
    const cycle = await enqueueCycle(queues.search, { reviewId, sources, trigger: 'manual', from: opts.from, to: opts.to });
    for (const w of cycle.windowsNotQueued) {
      const queued = `${w.queued.from ?? 'its usual start'}..${w.queued.to ?? 'today'}`;
      process.stderr.write(`living-review: ${w.source}: a search of it is already queued or running (job ${w.jobId}, window ${queued}); the requested window is not searched: ask again once it has finished\n`);
      process.exitCode = 1;
    }
    if (!opts.wait) {
      process.stdout.write(opts.json ? JSON.stringify(cycle, null, 2) + '\n' : cycle.jobs.map((j) => `${j.jobId}\n`).join(''));
      return;
    }
    process.stderr.write(cycle.jobs.map((j) => `queued ${j.jobId}\n`).join(''));
    const result = await waitForCycle(queues.search, ctx.database.db, cycle, { signal: interrupt.signal, connection: redis, redis: describeRedis(ctx.env.REDIS_URL) });
    process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : summary(result));
    if (result.sources.some((s) => s.status === 'failed')) process.exitCode = 1;
  } finally {
    interrupt.release();
    await closeQueues(queues).catch(() => {});
    redis.disconnect();
    await ctx.close();
  }
}

export function runCommand(): Command {
  return new Command('run')
    .description('one full update cycle: search each source for the window, fetch, parse, deduplicate, stage')
    .option('--once', 'run the cycle in this process (no Redis needed)')
    .option('--enqueue', 'put the cycle on the queue for `worker` (needs REDIS_URL)')
    .option('--wait', 'with --enqueue: wait for the cycle to finish')
    .option('--review <id>', 'review id (optional when one protocol is configured)')
    .option('--sources <list>', 'comma-separated: pubmed,europepmc,openalex,crossref (default: those the protocol enables)')
    .option('--from <date>', 'window start YYYY-MM-DD (default: where the last successful run ended)', isoDate)
    .option('--to <date>', 'window end YYYY-MM-DD (default: today)', isoDate)
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: RunOptions) => {
      if (opts.once === opts.enqueue) throw new Error('run: give exactly one of --once or --enqueue');
      if (opts.wait && !opts.enqueue) throw new Error('run: --wait goes with --enqueue');
      // Refused before anything starts: queued, a reversed window only failed in the worker, after
      // `run --enqueue` had exited 0.
      if (opts.from && opts.to && opts.from > opts.to) throw new Error(`run: --from ${opts.from} is after --to ${opts.to}`);
      const app = loadContext();
      const protocol = app.protocol(opts.review);
      const names = parseSourceList(opts.sources, protocol);
      const ctx = await openDbContext(app);
      if (opts.enqueue) return enqueue(ctx, protocol.id, names, opts);
      const interrupt = interruptible();
      try {
        const result = await runCycle({
          db: ctx.database.db,
          protocol,
          sources: createSources(app.env, names),
          from: opts.from,
          to: opts.to,
          trigger: 'cli',
          runBy: 'run --once',
          log: app.log,
          signal: interrupt.signal,
          onProgress: !opts.json && process.stderr.isTTY ? createProgressDisplay() : undefined,
        });
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : summary(result));
        for (const s of result.sources.filter((s) => s.status === 'failed')) {
          process.stderr.write(`living-review: ${s.source} failed: ${s.error}\n`);
          process.exitCode = 1;
        }
      } finally {
        interrupt.release();
        await ctx.close();
      }
    });
}
