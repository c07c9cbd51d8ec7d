import { describe, expect, it } from 'vitest';
import type { Channel, Decision } from '../../src/db/schema/index.js';
import { composeReason, repeatsStanding, typedReason, workStatus, type DecisionFact } from '../../src/screening/rules.js';

let seq = 0;
const d = (reviewerId: number, decision: Decision, channel: Channel = 'email'): DecisionFact => ({ reviewerId, decision, channel, seq: ++seq });

describe('screening rules', () => {
  it('one reviewer per record: the reviewer\'s latest decision sets the status', () => {
    expect(workStatus([], 1)).toBe('pending');
    expect(workStatus([d(1, 'include')], 1)).toBe('included');
    expect(workStatus([d(1, 'exclude')], 1)).toBe('excluded');
    expect(workStatus([d(1, 'maybe')], 1)).toBe('maybe');
    expect(workStatus([d(1, 'include'), d(1, 'exclude')], 1)).toBe('excluded');
  });

  it('one reviewer per record: a second reviewer who disagrees makes a conflict, not a silent overturn', () => {
    expect(workStatus([d(1, 'exclude'), d(2, 'include')], 1)).toBe('conflict');
    expect(workStatus([d(1, 'include'), d(2, 'include')], 1)).toBe('included');
    expect(workStatus([d(1, 'include'), d(2, 'maybe')], 1)).toBe('maybe');
    expect(workStatus([d(1, 'exclude'), d(2, 'include'), d(2, 'exclude')], 1)).toBe('excluded');
  });

  it('two reviewers per record: pending until two reviewers decided', () => {
    expect(workStatus([d(1, 'include')], 2)).toBe('pending');
    expect(workStatus([d(1, 'include'), d(1, 'exclude')], 2)).toBe('pending');
  });

  it('two reviewers per record: the agreement table', () => {
    const cases: [Decision, Decision, string][] = [
      ['include', 'include', 'included'],
      ['exclude', 'exclude', 'excluded'],
      ['include', 'exclude', 'conflict'],
      ['exclude', 'include', 'conflict'],
      ['exclude', 'maybe', 'conflict'],
      ['maybe', 'exclude', 'conflict'],
      ['include', 'maybe', 'maybe'],
      ['maybe', 'include', 'maybe'],
      ['maybe', 'maybe', 'maybe'],
    ];
    for (const [a, b, want] of cases) expect(workStatus([d(1, a), d(2, b)], 2), `${a}/${b}`).toBe(want);
  });

  it('two reviewers per record: a changed mind counts, the earlier vote does not', () => {
    expect(workStatus([d(1, 'include'), d(2, 'exclude'), d(2, 'include')], 2)).toBe('included');
    expect(workStatus([d(1, 'include'), d(2, 'include'), d(1, 'exclude')], 2)).toBe('conflict');
  });

  it('a maintainer resolution is final whatever the votes', () => {
    const votes = [d(1, 'include'), d(2, 'exclude')];
    expect(workStatus([...votes, d(3, 'exclude', 'maintainer')], 2)).toBe('excluded');
    expect(workStatus([...votes, d(3, 'exclude', 'maintainer'), d(1, 'include')], 2)).toBe('excluded');
    expect(workStatus([...votes, d(3, 'exclude', 'maintainer'), d(3, 'include', 'maintainer')], 2)).toBe('included');
    expect(workStatus([d(1, 'include'), d(3, 'maybe', 'maintainer')], 1)).toBe('maybe');
  });

  it('order is by sequence, not by array position', () => {
    const late = { reviewerId: 1, decision: 'exclude' as const, channel: 'email' as const, seq: 100 };
    const early = { reviewerId: 1, decision: 'include' as const, channel: 'email' as const, seq: 1 };
    expect(workStatus([late, early], 1)).toBe('excluded');
  });

  it('a decision repeats the standing one only with the same decision, kind and reason (or none)', () => {
    const latest = { decision: 'exclude' as const, channel: 'email' as const, reason: 'not English' };
    expect(repeatsStanding(undefined, { decision: 'exclude', channel: 'cli', reason: null })).toBe(false);
    expect(repeatsStanding(latest, { decision: 'exclude', channel: 'cli', reason: 'not English' })).toBe(true);
    // A button pressed again without retyping the reason keeps it.
    expect(repeatsStanding(latest, { decision: 'exclude', channel: 'web', reason: null })).toBe(true);
    expect(repeatsStanding(latest, { decision: 'exclude', channel: 'cli', reason: 'wrong design' })).toBe(false);
    expect(repeatsStanding({ ...latest, reason: 'Wrong design' }, { decision: 'exclude', channel: 'cli', reason: ' wrong  DESIGN' })).toBe(true);
    expect(repeatsStanding(latest, { decision: 'include', channel: 'email', reason: null })).toBe(false);
    // A maintainer's resolution is not their vote said again, nor the other way round.
    expect(repeatsStanding(latest, { decision: 'exclude', channel: 'maintainer', reason: 'not English' })).toBe(false);
    expect(repeatsStanding({ ...latest, channel: 'maintainer' }, { decision: 'exclude', channel: 'maintainer', reason: null })).toBe(true);
  });

  it('joins a protocol reason and free text, and refuses unknown reasons', () => {
    const allowed = ['not peer-involved', 'not English'];
    expect(composeReason('not English', undefined, allowed)).toBe('not English');
    expect(composeReason('not English', '  written in\nFrench ', allowed)).toBe('not English: written in French');
    expect(composeReason(undefined, 'wrong population', allowed)).toBe('wrong population');
    expect(composeReason('', '', allowed)).toBeNull();
    expect(() => composeReason('made up', undefined, allowed)).toThrow(/unknown exclusion reason "made up"/);
  });

  it('stores a typed reason that is a protocol reason, in any case and spacing, as that reason', () => {
    const allowed = ['not English', 'not English language journal', 'not peer-involved'];
    expect(typedReason('not english', allowed)).toEqual({ reason: 'not English', coded: true });
    expect(typedReason('  Not   PEER-involved ', allowed)).toEqual({ reason: 'not peer-involved', coded: true });
    expect(typedReason('not English language journal', allowed)).toEqual({ reason: 'not English language journal', coded: true });
    expect(typedReason('NOT ENGLISH: written in\nFrench', allowed)).toEqual({ reason: 'not English: written in French', coded: true });
    expect(typedReason('not English, mostly', allowed)).toEqual({ reason: 'not English, mostly', coded: false });
    expect(typedReason('wrong population', [])).toEqual({ reason: 'wrong population', coded: false });
    expect(typedReason(undefined, allowed)).toEqual({ reason: null, coded: false });
  });
});
