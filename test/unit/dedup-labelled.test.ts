// Accuracy targets on the shared labelled sets (not a timing test). The sets are never copied into
// the project; without ../shared/dedup this suite is skipped with a message.
import { describe, expect, it } from 'vitest';
import { SHARED_DEDUP, type LabelledSet, labelledSetsAvailable, loadLabelledSets } from '../../bench/dedup-sets.js';
import { dedupeRecords } from '../../src/dedup/cluster.js';
import { scoreFlags, scoreGroups } from '../../src/dedup/evaluate.js';
import { explainReason } from '../../src/dedup/reasons.js';

const available = labelledSetsAvailable();
if (!available) console.warn(`dedup labelled-set targets skipped: ${SHARED_DEDUP} not found`);

/**
 * Sets that do not reach the target yet (duplicate recall ≥ 0.98, ≤ 1 false merge per 2,000
 * records): regression floors at the achieved figures, recall rounded down to 3 decimals. Raise a
 * floor when a set improves; delete its entry when it reaches the target.
 */
const BELOW_TARGET: Record<string, { recall: number; falseMerges: number; gap: string }> = {
  haematology: { recall: 0.881, falseMerges: 0, gap: 'recall 0.881, 0.099 short; mostly errata and congress abstracts the labels merge and we keep apart' },
  digital_work: { recall: 0.975, falseMerges: 0, gap: 'recall 0.976, 0.004 short; partly preprint/notice pairs the labels merge and we link' },
  misq_mixed: { recall: 0.969, falseMerges: 11, gap: 'recall 0.970, 0.010 short; 4.09 false merges per 2,000, 3.09 over' },
};

function score(set: LabelledSet) {
  const { groupOf } = dedupeRecords(set.records);
  return set.truth.kind === 'groups' ? scoreGroups(groupOf, set.truth.groupOf) : scoreFlags(groupOf, set.truth.flagged);
}

describe.skipIf(!available)('dedup targets on labelled sets', () => {
  const sets = available ? loadLabelledSets() : [];
  const atTarget = sets.filter((s) => !BELOW_TARGET[s.name]);
  const below = sets.filter((s) => BELOW_TARGET[s.name]);

  it('knows every set named below target', () => expect(Object.keys(BELOW_TARGET).filter((n) => !sets.some((s) => s.name === n))).toEqual([]));

  it.each(atTarget.map((s) => [s.name, s] as const))('%s: ≤1 false merge per 2,000 records, duplicate recall ≥ 0.98', (_name, set) => {
    const s = score(set);
    expect(s.falseMergesPer2000).toBeLessThanOrEqual(1);
    expect(s.recordRecall).toBeGreaterThanOrEqual(0.98);
  });

  it.each(below.map((s) => [`${s.name}: below target (${BELOW_TARGET[s.name]!.gap}); floor recall ≥ ${BELOW_TARGET[s.name]!.recall}, false merges ≤ ${BELOW_TARGET[s.name]!.falseMerges}`, s] as const))(
    '%s',
    (_name, set) => {
      const floor = BELOW_TARGET[set.name]!;
      const s = score(set);
      expect(s.falseMerges).toBeLessThanOrEqual(floor.falseMerges);
      expect(s.recordRecall).toBeGreaterThanOrEqual(floor.recall);
    },
  );

  it('gives maintainers words for every reason it leaves a pair to them', () => {
    const codes = new Set(sets.flatMap((set) => dedupeRecords(set.records).uncertainPairs.map((p) => p.reason)));
    expect(codes.size).toBeGreaterThan(5);
    expect([...codes].filter((code) => explainReason(code) === code)).toEqual([]);
  });
});
