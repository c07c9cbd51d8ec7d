import type { Channel, Decision, WorkStatus } from '../db/schema/index.js';
import { PermanentError } from '../errors.js';

export interface DecisionFact {
  reviewerId: number;
  decision: Decision;
  channel: Channel;
  /** Insertion order (screening_decisions.id): later rows supersede earlier ones. */
  seq: number;
}

/**
 * What became of a decision: `recorded` as a new row; `replayed`, its token had already recorded
 * one (a double click, a resubmitted form); `unchanged`, the reviewer's latest decision already
 * says the same (the same command run twice). Only `recorded` writes anything.
 */
export type DecisionResult = 'recorded' | 'replayed' | 'unchanged';

/**
 * The status a work's decisions give it.
 *
 * - A maintainer resolution (channel `maintainer`) is final: the latest one sets the status, and
 *   reviewers' later votes leave it (a maintainer changes it by resolving again).
 * - Otherwise each reviewer's latest decision counts, and the work stays pending until
 *   `reviewersPerRecord` reviewers have decided it. All include → included, all exclude →
 *   excluded. `maybe` means "keep it for the full text", so include/maybe and maybe/maybe give
 *   `maybe` (nobody wants it dropped), while exclude against include or maybe is a `conflict` for
 *   a maintainer to resolve, also with one reviewer per record when a second one disagrees (from
 *   a digest written before the first decided): a later vote never silently overturns another.
 */
export function workStatus(decisions: readonly DecisionFact[], reviewersPerRecord: 1 | 2): WorkStatus {
  const ordered = [...decisions].sort((a, b) => a.seq - b.seq);
  const resolution = ordered.filter((d) => d.channel === 'maintainer').at(-1);
  if (resolution) return RESOLVED[resolution.decision];
  const latest = new Map<number, Decision>();
  for (const d of ordered) latest.set(d.reviewerId, d.decision);
  const votes = [...latest.values()];
  if (votes.length < reviewersPerRecord) return 'pending';
  if (votes.every((v) => v === 'include')) return 'included';
  if (votes.every((v) => v === 'exclude')) return 'excluded';
  if (votes.includes('exclude')) return 'conflict';
  return 'maybe';
}

/** Whether a maintainer has resolved the work: their next decision on it resolves it again. */
export function isResolved(decisions: readonly Pick<DecisionFact, 'channel'>[]): boolean {
  return decisions.some((d) => d.channel === 'maintainer');
}

/**
 * Whether a decision only says again what the reviewer's latest one says: the same decision, as a
 * vote or as a resolution alike, with the same reason (in any case and spacing) or none (an
 * emailed button pressed without retyping the reason keeps it). Recording it would add a row that
 * changes nothing but would read as a change of mind in the audit log.
 */
export function repeatsStanding(latest: Pick<DecisionFact, 'decision' | 'channel'> & { reason: string | null } | undefined, next: Pick<DecisionFact, 'decision' | 'channel'> & { reason: string | null }): boolean {
  if (!latest) return false;
  const resolves = (c: Channel) => c === 'maintainer';
  // Retyped free text differs in case and spacing only: the same reason.
  const said = (r: string | null) => r?.replace(/\s+/g, ' ').trim().toLowerCase();
  return latest.decision === next.decision && resolves(latest.channel) === resolves(next.channel) && (next.reason === null || said(next.reason) === said(latest.reason));
}

const RESOLVED: Record<Decision, WorkStatus> = { include: 'included', exclude: 'excluded', maybe: 'maybe' };

/** Joins a protocol exclusion reason and free text into the one stored reason. */
export function composeReason(code: string | undefined, text: string | undefined, allowed: readonly string[]): string | null {
  const c = code?.trim() || undefined;
  const t = text?.replace(/\s+/g, ' ').trim().slice(0, 500) || undefined;
  if (c && !allowed.includes(c)) throw new PermanentError(`unknown exclusion reason "${c}" (expected one of: ${allowed.join('; ')})`);
  if (c && t) return `${c}: ${t}`;
  return c ?? t ?? null;
}

/**
 * A reason typed as one text (`screen --reason`): a protocol reason in any case and spacing, alone
 * or before ": details", is stored as that reason, as a page's reason buttons store it, so exports
 * group it with the others; `coded` is false for free text.
 */
export function typedReason(text: string | undefined, allowed: readonly string[]): { reason: string | null; coded: boolean } {
  const key = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  const typed = key(text ?? '');
  for (const code of [...allowed].sort((a, b) => b.length - a.length)) {
    const k = key(code);
    if (typed === k) return { reason: code, coded: true };
    if (typed.startsWith(`${k}:`)) return { reason: composeReason(code, text!.replace(/\s+/g, ' ').trim().slice(k.length + 1), allowed), coded: true };
  }
  return { reason: composeReason(undefined, text, allowed), coded: false };
}
