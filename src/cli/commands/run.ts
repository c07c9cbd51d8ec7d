import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { runCycle, type CycleResult } from '../../runs/cycle.js';
import { createSources, parseSourceList } from '../../sources/registry.js';
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

function summary(r: CycleResult): string {
  const lines = r.sources.map(
    (s) =>
      `${s.source} ${s.from}..${s.to}: ${s.status}, identified ${s.identified}, fetched ${s.fetched}, new ${s.new}, duplicates ${s.duplicates}` +
      (s.error ? ` (${s.error})` : ''),
  );
  return `${lines.join('\n')}\nstaged ${r.staged} new candidate(s) for ${r.review} (run ${r.runId})\n`;
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
      if (opts.enqueue) throw new Error('run --enqueue: not built yet; it belongs to scheduled workers (issue #6)');
      const app = loadContext();
      const protocol = app.protocol(opts.review);
      const names = parseSourceList(opts.sources, protocol);
      const ctx = await openDbContext(app);
      const abort = new AbortController();
      const onSignal = () => abort.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        const result = await runCycle({
          db: ctx.database.db,
          protocol,
          sources: createSources(app.env, names),
          from: opts.from,
          to: opts.to,
          trigger: 'cli',
          log: app.log,
          signal: abort.signal,
          onProgress: !opts.json && process.stderr.isTTY ? createProgressDisplay() : undefined,
        });
        process.stdout.write(opts.json ? JSON.stringify(result, null, 2) + '\n' : summary(result));
        for (const s of result.sources.filter((s) => s.status === 'failed')) {
          process.stderr.write(`living-review: ${s.source} failed: ${s.error}\n`);
          process.exitCode = 1;
        }
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
        await ctx.close();
      }
    });
}
