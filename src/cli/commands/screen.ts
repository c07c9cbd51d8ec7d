import { Command } from 'commander';
import { eq } from 'drizzle-orm';
import { loadContext, openDbContext } from '../../context.js';
import { liveWorkId } from '../../db/queries/candidates.js';
import { DECISIONS, works, type Decision } from '../../db/schema/index.js';
import { PermanentError } from '../../errors.js';
import { findReviewer, recordDecision } from '../../screening/record.js';
import { typedReason } from '../../screening/rules.js';
import { oneOf } from '../options.js';

function candidateId(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new PermanentError(`screen: candidate id must be a number as exports give it, got "${value}"`);
  return Number(value);
}

export function screenCommand(): Command {
  return new Command('screen')
    .description('record a screening decision (a maintainer deciding a conflict resolves it)')
    .argument('<candidate-id>', 'works.id, as in exports')
    .argument('<decision>', DECISIONS.join('|'), oneOf(DECISIONS))
    .requiredOption('--reviewer <email>', "the reviewer's email, as in the protocol")
    .option('--reason <text>', 'why: a protocol exclusion reason (any case; "reason: details" adds details), or free text')
    .action(async (id: string, decision: Decision, opts: { reviewer: string; reason?: string }) => {
      const workId = candidateId(id);
      const ctx = await openDbContext(loadContext());
      try {
        const db = ctx.database.db;
        // An id from an older export may name a work since merged into another: decide that one.
        const live = await liveWorkId(db, workId);
        const [work] = live === undefined ? [] : await db.select({ reviewId: works.reviewId }).from(works).where(eq(works.id, live));
        if (!work) throw new PermanentError(`screen: no candidate with id ${workId}`);
        const reviewer = await findReviewer(db, work.reviewId, opts.reviewer);
        if (!reviewer) throw new PermanentError(`screen: ${opts.reviewer} is not a reviewer of ${work.reviewId}`);
        const reasons = ctx.protocols.find((p) => p.id === work.reviewId)?.screening.exclusion_reasons ?? [];
        const { reason, coded } = typedReason(opts.reason, reasons);
        if (reason !== null && !coded && decision === 'exclude' && reasons.length > 0) {
          process.stderr.write(`living-review: note: "${reason}" is none of ${work.reviewId}'s exclusion reasons (${reasons.join('; ')}); stored as free text\n`);
        }
        // A maintainer's decision on a conflict resolves it, and so does one on a work resolved
        // before (the only way to correct a resolution): judged when the decision is recorded.
        const outcome = await recordDecision(db, { workId, reviewerId: reviewer.id, decision, reason, channel: 'cli', tokenId: null, resolveDisputed: true });
        const { channel } = outcome;
        const merged = outcome.workId === workId ? '' : ` (merged into candidate ${outcome.workId})`;
        const stands = outcome.resolved && channel !== 'maintainer' ? ' (a maintainer resolved it: their resolution stands)' : '';
        // Running the same command twice records it once: a second row would read as a change of mind.
        const what = outcome.result === 'unchanged' ? `already ${reviewer.email}'s decision, nothing recorded; status ${outcome.status}` : `status ${outcome.statusBefore} -> ${outcome.status}`;
        process.stdout.write(`candidate ${workId}${merged}: ${decision} by ${reviewer.email} (${channel}); ${what}${stands}\n`);
      } finally {
        await ctx.close();
      }
    });
}
