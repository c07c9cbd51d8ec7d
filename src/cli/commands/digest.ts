import { Command } from 'commander';
import { requireSecret } from '../../config/secret.js';
import { loadContext, openDbContext } from '../../context.js';
import { ConfigError } from '../../errors.js';
import { mailerFor, planDue, runDigestOnce, type DigestDeps } from '../../digest/run.js';

export function digestCommand(): Command {
  return new Command('digest')
    .description('build and send every digest that is due now; --dry-run prints them instead of sending')
    .option('--once', 'run once now (scheduled digests run in `worker`)')
    .option('--review <id>', 'review id (all configured reviews when left out)')
    .option('--dry-run', 'print each digest (recipient, subject, text) and write nothing')
    .action(async (opts: { once?: boolean; review?: string; dryRun?: boolean }) => {
      if (!opts.once) throw new ConfigError('digest: pass --once (scheduled digests are sent by `worker`)');
      const base = loadContext();
      const secret = requireSecret(base.env);
      const ctx = await openDbContext(base);
      try {
        const protocols = opts.review ? [ctx.protocol(opts.review)] : ctx.protocols;
        // Up to two minutes of retries in-process; later ones wait for the next run.
        const deps: DigestDeps = { database: ctx.database, env: ctx.env, secret, mailer: mailerFor(ctx.env), log: ctx.log, retryWindowMs: 120_000 };
        if (opts.dryRun) {
          for (const { protocol, period, planned } of await planDue(deps, protocols)) {
            process.stdout.write(`review ${protocol.id}, period ${period.toISOString()}: ${planned.length} digest(s)\n`);
            for (const p of planned) {
              process.stdout.write(`\nTo: ${p.reviewer.name} <${p.reviewer.email}>\nSubject: ${p.rendered.subject}\n\n${p.rendered.text}`);
            }
          }
          return;
        }
        const r = await runDigestOnce(deps, protocols);
        for (const rv of r.reviews) process.stdout.write(`review ${rv.review}, period ${rv.period}: ${rv.written.length} new digest(s)\n`);
        const cancelled = r.cancelled.length ? `, cancelled ${r.cancelled.length} (recipient unsubscribed or left)` : '';
        process.stdout.write(`sent ${r.sent.length}, retrying ${r.retrying.length}, failed ${r.failed.length}, ambiguous ${r.ambiguous.length}${cancelled}\n`);
        for (const s of r.recovered) process.stdout.write(`digest ${s.id} was interrupted mid-send: now ${s.status}\n`);
        if (r.serverError) {
          process.stderr.write(`living-review: mail server: ${r.serverError}\n`);
          process.exitCode = 1;
        }
        // Failed and possibly-duplicated deliveries need a person: say so through the exit status.
        if (r.failed.length || r.ambiguous.length || r.recovered.some((s) => s.status === 'ambiguous')) process.exitCode = 1;
      } finally {
        await ctx.close();
      }
    });
}
