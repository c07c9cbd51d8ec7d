// Accuracy targets on the shared labelled sets (not a timing test). The sets are never copied into
// the project; without ../shared/dedup this suite is skipped with a message.
import { describe, expect, it } from 'vitest';
import { SHARED_DEDUP, labelledSetsAvailable, loadLabelledSets } from '../../bench/dedup-sets.js';
import { dedupeRecords } from '../../src/dedup/cluster.js';
import { scoreFlags, scoreGroups } from '../../src/dedup/evaluate.js';

const available = labelledSetsAvailable();
if (!available) console.warn(`dedup labelled-set targets skipped: ${SHARED_DEDUP} not found`);

describe.skipIf(!available)('dedup targets on labelled sets', () => {
  const sets = available ? loadLabelledSets() : [];
  it.each(sets.map((s) => [s.name, s] as const))('%s: ≤1 false merge per 2,000 records, duplicate recall ≥ 0.98', (_name, set) => {
    const { groupOf } = dedupeRecords(set.records);
    const s = set.truth.kind === 'groups' ? scoreGroups(groupOf, set.truth.groupOf) : scoreFlags(groupOf, set.truth.flagged);
    expect(s.falseMergesPer2000).toBeLessThanOrEqual(1);
    expect(s.recordRecall).toBeGreaterThanOrEqual(0.98);
  });
});
