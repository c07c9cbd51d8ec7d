import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import type { KnownPaper } from '../../db/queries/recall-check.js';
import { reviewStatus, type ReviewStatus } from '../../db/queries/status.js';
import { queueState, type QueueState } from '../../queue/state.js';
import type { Protocol } from '../../config/protocol.js';
import { PermanentError } from '../../errors.js';
import { sentStrategy } from '../../runs/strategy.js';
import { nextWindowStart, strategyChangedNote } from '../../runs/window.js';
import { createSources } from '../../sources/registry.js';
import { API_SOURCES, type Source } from '../../sources/types.js';

type StatusView = ReviewStatus & {
  sources: (ReviewStatus['sources'][number] & { nextWindowFrom: string })[];
  /** Enabled sources not searched yet, and where their first window starts. */
  notSearched: { source: string; nextWindowFrom: string }[];
};

function render(s: StatusView): string {
  const lines = [`review ${s.review}`];
  if (s.sources.length === 0 && s.notSearched.length === 0) lines.push('  no search run yet');
  for (const n of s.notSearched) lines.push(`  ${n.source}: no search yet; first window starts ${n.nextWindowFrom}`);
  for (const r of s.sources) {
    lines.push(
      `  ${r.source}: last run ${r.status} ${r.windowFrom}..${r.windowTo}` +
        ` identified ${r.identified}, fetched ${r.fetched}, new ${r.newWorks}, duplicates ${r.duplicates}` +
        (r.error ? ` (error: ${r.error})` : '') +
        `; ${r.strategyChanged ? strategyChangedNote('next', r.nextWindowFrom) : `next window starts ${r.nextWindowFrom}`}`,
    );
  }
  for (const i of s.imports) {
    lines.push(
      `  ${i.source}: last import ${i.status} ${i.startedAt.toISOString().slice(0, 10)} (${i.files})` +
        ` read ${i.read}, new ${i.newWorks}, duplicates ${i.duplicates}` +
        (i.error ? ` (error: ${i.error})` : ''),
    );
  }
  const counts = s.works.map((w) => `${w.origin === 'seed' ? 'seed ' : ''}${w.status} ${w.count}`);
  lines.push(`  works: ${counts.length ? counts.join(', ') : 'none'}`);
  const a = s.attention;
  const waiting = [
    a.ambiguousDigests && `${a.ambiguousDigests} digest(s) may not have arrived (ambiguous)`,
    a.failedDigests && `${a.failedDigests} digest(s) failed`,
    a.uncertainPairs && `${a.uncertainPairs} possible duplicate pair(s) to decide`,
    a.flaggedWorks && `${a.flaggedWorks} work(s) flagged (retraction or correction)`,
  ].filter(Boolean);
  if (waiting.length) lines.push(`  for maintainers: ${waiting.join('; ')}`);
  for (const f of s.flagged) lines.push(`    flagged: work ${f.workId} (${f.origin === 'seed' ? 'seed ' : ''}${f.status}) "${f.title}": ${f.note}`);
  if (s.recall.known > 0) {
    const name = (k: KnownPaper) => (k.pmid ? `PMID ${k.pmid}` : k.doi ? `doi ${k.doi}` : `"${k.title}"`) + (k.note ? ` (${k.note})` : '');
    lines.push(`  known relevant papers found: ${s.recall.found.length} of ${s.recall.known}`);
    for (const k of s.recall.missing) lines.push(`    not found: ${name(k)}`);
  }
  return lines.join('\n') + '\n';
}

function renderQueues(q: QueueState): string {
  if (!q.reachable) return `queues: ${q.error}\n`;
  const lines = Object.entries(q.queues).map(
    ([name, c]) => `  ${name}: ${Object.entries(c).map(([state, n]) => `${state} ${n}`).join(', ')}`,
  );
  for (const s of q.schedules) lines.push(`  next ${s.scheduler}: ${s.next ?? 'none'} (${s.pattern} ${s.tz})`);
  return `queues\n${lines.join('\n')}\n`;
}

/** The fingerprint of what a source would now be sent; none for a strategy it cannot express. */
function currentFingerprint(sources: readonly Source[], protocol: Protocol, name: string): string | undefined {
  const source = sources.find((s) => s.name === name);
  if (!source) return undefined;
  try {
    return sentStrategy(source, protocol).fingerprint;
  } catch (err) {
    if (err instanceof PermanentError) return undefined;
    throw err;
  }
}

export function statusCommand(): Command {
  return new Command('status')
    .description('last run per source, counts by status, queue state if Redis is reachable')
    .option('--review <id>', 'review id (optional when one protocol is configured)')
    .option('--json', 'print JSON')
    .action(async (opts: { review?: string; json?: boolean }) => {
      const ctx = await openDbContext(loadContext());
      // Built only to compile each source's query: status sends nothing.
      const sources = createSources(ctx.env, [...API_SOURCES]);
      try {
        const ids = opts.review ? [ctx.protocol(opts.review).id] : ctx.protocols.map((p) => p.id);
        const all: StatusView[] = [];
        for (const id of ids) {
          const p = ctx.protocol(id);
          const s = await reviewStatus(ctx.database.db, id, p.known_relevant, (name) => currentFingerprint(sources, p, name));
          const window = { updateFrom: p.update_from, overlapDays: p.window_overlap_days };
          const searched = new Set(s.sources.map((r) => r.source));
          all.push({
            ...s,
            sources: s.sources.map((r) => ({ ...r, nextWindowFrom: nextWindowStart({ ...window, watermark: r.watermark }) })),
            notSearched: API_SOURCES.filter((name) => p.sources[name]?.enabled && !searched.has(name)).map((source) => ({ source, nextWindowFrom: nextWindowStart({ ...window, watermark: null }) })),
          });
        }
        const queues = await queueState(ctx.env.REDIS_URL, ctx.env.QUEUE_PREFIX);
        process.stdout.write(
          opts.json
            ? // `reviews` is always there, so scripts need not care how many protocols there are; one
              // review's fields also stay at the top, as they always were.
              JSON.stringify(all.length === 1 ? { ...all[0], reviews: all, queues } : { reviews: all, queues }, null, 2) + '\n'
            : all.map(render).join('') + renderQueues(queues),
        );
      } finally {
        await ctx.close();
      }
    });
}
