import { randomUUID } from 'node:crypto';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { finishRun, recordProgress, sourceCoverage } from '../db/queries/runs.js';
import { PermanentError, oneLine } from '../errors.js';
import { refreshRelevance } from '../ranking/update.js';
import type { Logger } from '../log.js';
import type { DateWindow, SearchProgress, Source } from '../sources/types.js';
import { stageBatch } from '../staging/stage.js';
import { syncSeeds } from '../staging/seeds.js';
import { ownRun, settleAbandonedRuns } from './ownership.js';
import { recheckIncluded } from './recheck.js';
import { sentStrategy, type SentStrategy } from './strategy.js';
import { isoDay, nextWindow, nextWindowStart, strategyChangedNote } from './window.js';

export interface SourceResult {
  source: string;
  status: 'ok' | 'failed';
  query: string;
  from: string;
  to: string;
  identified: number;
  fetched: number;
  new: number;
  duplicates: number;
  error: string | null;
  /** The run's warnings (search_runs.warnings): what the search warns of (a phrase PubMed did not find, records counted but not returned), then notes on single records. */
  warnings: string[];
}

/** The `run --once --json` object of the contract. */
export interface CycleResult {
  review: string;
  runId: string;
  sources: SourceResult[];
  staged: number;
}

export interface CycleOptions {
  db: Db;
  /** Who runs the cycle, named in the error of a run it finds abandoned (default: by trigger). */
  runBy?: string;
  protocol: Protocol;
  sources: Source[];
  from?: string | undefined;
  to?: string | undefined;
  trigger: 'cli' | 'schedule' | 'manual';
  cycleId?: string;
  /** The scheduled tick (ISO timestamp) the cycle belongs to: at most one run per source and period. */
  period?: string | undefined;
  log: Logger;
  signal?: AbortSignal;
  now?: Date;
  onProgress?: (source: string, p: SearchProgress & { phase: 'search' | 'done' | 'failed' }) => void;
  /**
   * The error a failed source failed with: the report keeps only its message, a caller that must
   * tell permanent from retryable (a worker's job) gets the error itself.
   */
  onSourceError?: (source: string, err: unknown) => void;
}

/**
 * One update cycle: for each source, search its window, stage every batch, record the run and
 * recheck the included studies it can look up (recheck.ts), then rank the review's pending
 * candidates. Sources run one after another and independently: one failing neither undoes nor
 * blocks others; a recheck or ranking failure is logged and fails nothing.
 */
export async function runCycle(opts: CycleOptions): Promise<CycleResult> {
  const { db, protocol, log } = opts;
  const cycleId = opts.cycleId ?? randomUUID();
  await syncSeeds(db, protocol);
  const results: SourceResult[] = [];
  for (const source of opts.sources) {
    const result = await runSource(opts, cycleId, source);
    results.push(result);
    if (result.status === 'ok' && !opts.signal?.aborted) await recheck(opts, source);
  }
  const staged = results.reduce((n, r) => n + r.new, 0);
  // After staging, so the new candidates are ranked before anyone sees them; not while a worker
  // shuts down (the next cycle or digest ranks them).
  if (!opts.signal?.aborted) await refreshRelevance(db, protocol.id, log);
  log.info({ review: protocol.id, cycleId, staged }, 'update cycle finished');
  return { review: protocol.id, runId: cycleId, sources: results, staged };
}

const NOTHING = { identified: 0, fetched: 0, newWorks: 0, duplicates: 0 };

/** A source's line of the report: ok without an error, failed with one. */
function sourceResult(source: string, query: string, window: DateWindow, c: typeof NOTHING, error: string | null, warnings: string[] = []): SourceResult {
  return { source, status: error === null ? 'ok' : 'failed', query, from: window.from, to: window.to, identified: c.identified, fetched: c.fetched, new: c.newWorks, duplicates: c.duplicates, error, warnings };
}

/** The included studies' current records from a source that can look them up; a failure only logs. */
async function recheck(opts: CycleOptions, source: Source): Promise<void> {
  const log = opts.log.child({ review: opts.protocol.id, source: source.name });
  try {
    const r = await recheckIncluded(opts.db, opts.protocol.id, source, opts.signal);
    if (!r || r.works === 0) return;
    log.info({ works: r.works, records: r.records, flagged: r.flagged.length }, 'included studies rechecked');
    if (r.flagged.length) log.warn({ workIds: r.flagged }, 'included studies newly retracted or corrected: see status or the conflicts page');
  } catch (err) {
    log.warn({ err: oneLine(err) }, 'recheck of included studies failed; the next cycle tries again');
  }
}

async function runSource(opts: CycleOptions, cycleId: string, source: Source): Promise<SourceResult> {
  const { db, protocol } = opts;
  const log = opts.log.child({ review: protocol.id, source: source.name, cycleId });
  // A run that a killed process left `running` would show as running forever: settle it first.
  const runBy = opts.runBy ?? (opts.trigger === 'cli' ? 'run --once' : `a ${opts.trigger} search`);
  const abandoned = await settleAbandonedRuns(db, { reviewId: protocol.id, source: source.name }, runBy);
  if (abandoned.length > 0) log.warn({ runIds: abandoned }, 'runs left by a stopped process marked failed');
  let query = protocol.sources[source.name]?.query ?? '';
  let sent: SentStrategy;
  let window: DateWindow;
  let notes: string[];
  try {
    sent = sentStrategy(source, protocol);
    query = sent.query;
    const covered = await sourceCoverage(db, protocol.id, source.name, sent.fingerprint);
    const start = { watermark: covered.watermark, updateFrom: protocol.update_from, overlapDays: protocol.window_overlap_days };
    window = nextWindow({ ...start, from: opts.from, to: opts.to, today: isoDay(opts.now ?? new Date()) });
    notes = covered.strategyChanged ? [strategyChangedRunNote(window, nextWindowStart(start))] : [];
  } catch (err) {
    // Nothing to search (an empty window, a strategy this API cannot express): this source fails
    // before any run starts, and the others go on.
    if (!(err instanceof PermanentError)) throw err;
    opts.onSourceError?.(source.name, err);
    const error = oneLine(err);
    log.error({ err: error }, 'search not started');
    return sourceResult(source.name, query, { from: opts.from ?? '', to: opts.to ?? '' }, NOTHING, error);
  }
  const sentQuery = source.sentQuery?.(query, window) ?? query;
  const run = {
    reviewId: protocol.id,
    cycleId,
    source: source.name,
    trigger: opts.trigger,
    period: opts.period ?? null,
    query: sentQuery,
    strategyFingerprint: sent.fingerprint,
    windowFrom: window.from,
    windowTo: window.to,
  };
  // The run's own queries go through the connection holding its lock (see ownership.ts).
  return ownRun(db, run, async (db, runId) => {
    const counts = { identified: 0, fetched: 0, newWorks: 0, duplicates: 0, requests: 0, retries: 0 };
    const warnings: string[] = [...notes];
    const report = (phase: 'search' | 'done' | 'failed') =>
      opts.onProgress?.(source.name, { phase, identified: counts.identified, fetched: counts.fetched, requests: counts.requests, retries: counts.retries });
    log.info({ runId, window, query: sentQuery }, 'search started');
    for (const w of notes) log.warn({ runId, warning: w }, 'search warning');
    try {
      const search = await source.search({
        query,
        window,
        strategy: protocol.strategy,
        override: sent.override,
        signal: opts.signal,
        onProgress: (p) => {
          Object.assign(counts, { requests: p.requests, retries: p.retries, identified: p.identified });
          report('search');
        },
      });
      counts.identified = search.identified;
      for await (const batch of readAhead(search.batches)) {
        // A shutdown stops the run between batches, whether or not the source heeded the signal.
        opts.signal?.throwIfAborted();
        const staged = await stageBatch(db, { reviewId: protocol.id, source: source.name, runId }, batch);
        counts.fetched += batch.length;
        counts.newWorks += staged.newWorks;
        counts.duplicates += staged.duplicates;
        for (const r of batch) for (const w of r.warnings ?? []) warnings.push(`${r.sourceId}: ${w}`);
        await recordProgress(db, runId, counts);
        report('search');
      }
      counts.identified = search.identified;
      const said = search.warnings ?? [];
      warnings.splice(notes.length, 0, ...said);
      await finishRun(db, runId, { status: 'ok', ...counts, warnings, error: null });
      report('done');
      for (const w of said) log.warn({ runId, warning: w }, 'search warning');
      log.info({ runId, ...counts, warnings: warnings.length }, 'search finished');
      return sourceResult(source.name, sentQuery, window, counts, null, warnings);
    } catch (err) {
      opts.onSourceError?.(source.name, err);
      const error = oneLine(err);
      // Whatever was staged stays staged; the watermark does not move, so the next run refetches.
      // A run whose lock connection was lost cannot be marked here: the next run's sweep settles it.
      await finishRun(db, runId, { status: 'failed', ...counts, warnings, error }).catch((e) => log.warn({ runId, err: oneLine(e) }, 'could not mark the run failed; the next run settles it'));
      report('failed');
      log.error({ runId, err: error, ...counts }, 'search failed');
      return sourceResult(source.name, sentQuery, window, counts, error, warnings);
    }
  });
}

/**
 * The run's first warning when the strategy changed since the last search. A `--from` still wins:
 * past where the next window would start (`start`), the days before it stay to search.
 */
function strategyChangedRunNote(window: DateWindow, start: string): string {
  const note = strategyChangedNote('this', window.from);
  return window.from > start ? `${note} (--from): the next window without --from starts ${start} again` : note;
}

/**
 * Fetches the next batch while the current one is being staged, so network, parsing and the
 * database work at the same time. At most one batch waits in memory.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  // Its rejection is seen when awaited below; until then it must not count as unhandled.
  next.catch(() => {});
  try {
    for (;;) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      next.catch(() => {});
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}
