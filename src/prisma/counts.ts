import type { CycleRunRow, CycleWorkCount } from '../db/queries/prisma.js';
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

/** Pure: the run log (oldest first) and per-cycle work statuses in, PRISMA counts per update and overall out. */
export function prismaReport(
  review: string,
  previousStudies: number | null,
  runs: CycleRunRow[],
  worksByCycle: CycleWorkCount[],
): PrismaReport {
  const updates = new Map<string, PrismaUpdate>();
  // A source searched twice in one cycle is one search retried: its attempts count once.
  const attempts = new Map<string, CycleRunRow[]>();
  for (const r of runs) {
    const key = JSON.stringify([r.cycleId, r.source]);
    attempts.set(key, [...(attempts.get(key) ?? []), r]);
  }
  for (const tries of attempts.values()) {
    const last = tries.at(-1)!;
    let u = updates.get(last.cycleId);
    if (!u) {
      u = { cycleId: last.cycleId, startedAt: new Date(tries[0]!.startedAt).toISOString(), windows: {}, ...empty() };
      updates.set(last.cycleId, u);
    }
    const c = combineAttempts(tries);
    u.identified[last.source] = c.identified;
    u.fetched += c.fetched;
    u.notRetrieved += Math.max(0, c.identified - c.fetched);
    u.duplicatesRemoved += c.duplicates;
    u.windows[last.source] = { from: last.windowFrom, to: last.windowTo, status: last.status };
  }
  for (const w of worksByCycle) {
    const u = updates.get(w.cycleId);
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
  for (const u of updates.values()) add(cumulative, u);
  return { review, previousStudies, updates: [...updates.values()], cumulative };
}
