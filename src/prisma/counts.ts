import type { CycleRunRow, RunWorkCount } from '../db/queries/prisma.js';
import { combineAttempts } from '../runs/attempts.js';

/** PRISMA 2020 flow counts for one update (one cycle) or for the living review so far. */
export interface PrismaCounts {
  /** Records identified from each database (as the API reported them). */
  identified: Record<string, number>;
  /** Records received and parsed. */
  fetched: number;
  /**
   * Identified but never received (deleted or withdrawn ids, a search that failed part way): PRISMA's
   * "removed for other reasons", so that identified = not retrieved + duplicates + screened.
   */
  notRetrieved: number;
  /**
   * Records removed before screening as duplicates (of this update, earlier ones or seeds),
   * including works found so later: merged by a maintainer, or declared a seed.
   */
  duplicatesRemoved: number;
  /** New works to screen. */
  screened: number;
  excluded: number;
  included: number;
  /** Decided "maybe", in conflict or not yet screened. */
  awaiting: number;
}

export interface PrismaUpdate extends PrismaCounts {
  cycleId: string;
  startedAt: string;
  windows: Record<string, { from: string; to: string; status: string }>;
}

export interface PrismaReport {
  review: string;
  /** Studies in the original review: the protocol's `original_search.included`, else the seeds stored. */
  previousStudies: number | null;
  updates: PrismaUpdate[];
  cumulative: PrismaCounts;
}

function empty(): PrismaCounts {
  return { identified: {}, fetched: 0, notRetrieved: 0, duplicatesRemoved: 0, screened: 0, excluded: 0, included: 0, awaiting: 0 };
}

function add(into: PrismaCounts, c: PrismaCounts): void {
  for (const [s, n] of Object.entries(c.identified)) into.identified[s] = (into.identified[s] ?? 0) + n;
  into.fetched += c.fetched;
  into.notRetrieved += c.notRetrieved;
  into.duplicatesRemoved += c.duplicatesRemoved;
  into.screened += c.screened;
  into.excluded += c.excluded;
  into.included += c.included;
  into.awaiting += c.awaiting;
}

/**
 * The run log (oldest first) as searches: each a source's attempts at one window. Attempts in one
 * cycle (a worker retrying) are one search, and so is a failed search with the next search of its
 * source that covers its window again (a killed `run --once` run again, an import of the same
 * files again): what the failed one staged reappears in the next, as in a retry, and counts once.
 * Not a search with another strategy (the protocol edited between them, its whole update period
 * searched again): that is a search of its own, in its own update. A run stored before runs
 * recorded their strategy is taken for a search with the next one's.
 */
export function searches(runs: readonly CycleRunRow[]): CycleRunRow[][] {
  const out: CycleRunRow[][] = [];
  const latest = new Map<string, CycleRunRow[]>();
  for (const r of runs) {
    const key = JSON.stringify([r.source, r.trigger === 'import']);
    const before = latest.get(key);
    const last = before?.at(-1);
    const again =
      last !== undefined &&
      (last.cycleId === r.cycleId ||
        (last.status === 'failed' &&
          (r.trigger === 'import'
            ? r.query === last.query
            : r.windowFrom <= last.windowFrom && r.windowTo >= last.windowTo && sameStrategy(r.strategyFingerprint, last.strategyFingerprint))));
    if (again) {
      before!.push(r);
    } else {
      const search = [r];
      out.push(search);
      latest.set(key, search);
    }
  }
  return out;
}

function sameStrategy(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

/** Pure: the run log (oldest first) and the works each run first staged in, PRISMA counts per update and overall out. */
export function prismaReport(
  review: string,
  previousStudies: number | null,
  runs: CycleRunRow[],
  worksByRun: RunWorkCount[],
): PrismaReport {
  // An update is a cycle; a search belongs to the cycle of its last attempt, with every work its attempts staged.
  const updates = new Map<string, PrismaUpdate>();
  const updateOfRun = new Map<number, PrismaUpdate>();
  for (const tries of searches(runs)) {
    const last = tries.at(-1)!;
    // When its cycle started, not the failed search it took over.
    const startedAt = new Date(tries.find((t) => t.cycleId === last.cycleId)!.startedAt).toISOString();
    let u = updates.get(last.cycleId);
    if (!u) {
      u = { cycleId: last.cycleId, startedAt, windows: {}, ...empty() };
      updates.set(last.cycleId, u);
    }
    if (startedAt < u.startedAt) u.startedAt = startedAt;
    for (const t of tries) updateOfRun.set(t.id, u);
    const c = combineAttempts(tries);
    u.identified[last.source] = c.identified;
    u.fetched += c.fetched;
    u.notRetrieved += Math.max(0, c.identified - c.fetched);
    u.duplicatesRemoved += c.duplicates;
    u.windows[last.source] = { from: last.windowFrom, to: last.windowTo, status: last.status };
  }
  for (const w of worksByRun) {
    const u = updateOfRun.get(w.runId);
    if (!u) continue;
    if (w.status === 'duplicate') {
      u.duplicatesRemoved += w.count;
      continue;
    }
    u.screened += w.count;
    if (w.status === 'excluded') u.excluded += w.count;
    else if (w.status === 'included') u.included += w.count;
    else u.awaiting += w.count;
  }
  const cumulative = empty();
  const ordered = [...updates.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  for (const u of ordered) add(cumulative, u);
  return { review, previousStudies, updates: ordered, cumulative };
}
