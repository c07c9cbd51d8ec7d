import type { RunStatus } from '../db/schema/index.js';

/** What a search run logs of what it found. */
export interface RunCounts {
  status: RunStatus;
  identified: number;
  fetched: number;
  newWorks: number;
  duplicates: number;
}

/**
 * One search of a cycle's window from its attempts, oldest first (a worker retries a search that
 * failed or was handed back at shutdown, in the same cycle). Each attempt's new works are new once.
 * The last successful attempt saw the whole window: what it saw again of the earlier attempts'
 * works is not a duplicate of anything found before the cycle, so duplicates are what it fetched
 * less every new work of the cycle. Without a success, the most any attempt got stands.
 */
export function combineAttempts(attempts: readonly RunCounts[]): Omit<RunCounts, 'status'> {
  const newWorks = attempts.reduce((n, a) => n + a.newWorks, 0);
  const ok = attempts.filter((a) => a.status === 'ok').at(-1);
  const identified = ok?.identified ?? Math.max(0, ...attempts.map((a) => a.identified));
  const fetched = Math.max(ok?.fetched ?? Math.max(0, ...attempts.map((a) => a.fetched)), newWorks);
  return { identified, fetched, newWorks, duplicates: fetched - newWorks };
}
