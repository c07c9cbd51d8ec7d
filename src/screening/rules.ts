import type { Channel, Decision, WorkStatus } from '../db/schema/index.js';
import { PermanentError } from '../errors.js';

export interface DecisionFact {
  reviewerId: number;
  decision: Decision;
  channel: Channel;
  /** Insertion order (screening_decisions.id): later rows supersede earlier ones. */
  seq: number;
}

const SINGLE: Record<Decision, WorkStatus> = { include: 'included', exclude: 'excluded', maybe: 'maybe' };

/**
 * The status a work's decisions give it.
 *
 * - A maintainer resolution (channel `maintainer`) is final: the latest one sets the status.
 * - One reviewer per record: the latest decision sets the status.
 * - Two reviewers per record: each reviewer's latest decision counts; until two reviewers have
 *   decided the work stays pending. All include → included, all exclude → excluded. `maybe` means
 *   "keep it for the full text", so include/maybe and maybe/maybe give `maybe` (nobody wants it
 *   dropped), while exclude against include or maybe is a `conflict` for a maintainer to resolve.
 */
export function workStatus(decisions: readonly DecisionFact[], reviewersPerRecord: 1 | 2): WorkStatus {
  const ordered = [...decisions].sort((a, b) => a.seq - b.seq);
  const resolution = ordered.filter((d) => d.channel === 'maintainer').at(-1);
  if (resolution) return SINGLE[resolution.decision];
  const latest = new Map<number, Decision>();
  for (const d of ordered) latest.set(d.reviewerId, d.decision);
  if (reviewersPerRecord === 1) {
    const last = ordered.at(-1);
    return last ? SINGLE[last.decision] : 'pending';
  }
  const votes = [...latest.values()];
  if (votes.length < 2) return 'pending';
  if (votes.every((v) => v === 'include')) return 'included';
  if (votes.every((v) => v === 'exclude')) return 'excluded';
  if (votes.includes('exclude')) return 'conflict';
  return 'maybe';
}

/** Joins a protocol exclusion reason and free text into the one stored reason. */
export function composeReason(code: string | undefined, text: string | undefined, allowed: readonly string[]): string | null {
  const c = code?.trim() || undefined;
  const t = text?.replace(/\s+/g, ' ').trim().slice(0, 500) || undefined;
  if (c && !allowed.includes(c)) throw new PermanentError(`unknown exclusion reason "${c}" (expected one of: ${allowed.join('; ')})`);
  if (c && t) return `${c}: ${t}`;
  return c ?? t ?? null;
}
