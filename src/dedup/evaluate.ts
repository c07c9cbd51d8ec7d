// Scores a grouping against labelled truth. Pure; used by the benchmark and the labelled-set test.

export interface GroupScores {
  records: number;
  /** Pairwise precision/recall over within-group record pairs. */
  pairPrecision: number;
  pairRecall: number;
  /** Records removed as duplicates that really were duplicates (n−1 counting per group). */
  removedCorrectly: number;
  removed: number;
  /** Removable duplicates in the truth (records − true works). */
  trueDuplicates: number;
  recordPrecision: number;
  recordRecall: number;
  /** Joins of two different true works (per predicted group: distinct true works − 1). */
  falseMerges: number;
  falseMergesPer2000: number;
}

const pairs = (k: number) => (k * (k - 1)) / 2;
const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

/** `predicted[i]` and `truth[i]` are group labels of record i. */
export function scoreGroups(predicted: readonly (number | string)[], truth: readonly (number | string)[]): GroupScores {
  const n = predicted.length;
  const cells = new Map<string, number>();
  const predSize = new Map<number | string, number>();
  const trueSize = new Map<number | string, number>();
  const worksInGroup = new Map<number | string, Set<number | string>>();
  for (let i = 0; i < n; i++) {
    const p = predicted[i]!;
    const t = truth[i]!;
    const cell = `${p}\u0000${t}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    predSize.set(p, (predSize.get(p) ?? 0) + 1);
    trueSize.set(t, (trueSize.get(t) ?? 0) + 1);
    const works = worksInGroup.get(p) ?? new Set();
    works.add(t);
    worksInGroup.set(p, works);
  }
  let tp = 0;
  for (const c of cells.values()) tp += pairs(c);
  let predPairs = 0;
  for (const s of predSize.values()) predPairs += pairs(s);
  let truePairs = 0;
  for (const s of trueSize.values()) truePairs += pairs(s);
  let falseMerges = 0;
  for (const w of worksInGroup.values()) falseMerges += w.size - 1;
  const removed = n - predSize.size;
  const removedCorrectly = removed - falseMerges;
  const trueDuplicates = n - trueSize.size;
  return {
    records: n,
    pairPrecision: ratio(tp, predPairs),
    pairRecall: ratio(tp, truePairs),
    removedCorrectly,
    removed,
    trueDuplicates,
    recordPrecision: ratio(removedCorrectly, removed),
    recordRecall: ratio(removedCorrectly, trueDuplicates),
    falseMerges,
    falseMergesPer2000: (falseMerges * 2000) / n,
  };
}

export interface FlagScores {
  records: number;
  /** Records the truth marks as members of some duplicate set. */
  flagged: number;
  /** Share of flagged records placed in a multi-record group. */
  recordRecall: number;
  /** Share of records placed in a multi-record group that are flagged. */
  recordPrecision: number;
  /** Lower bound: merges involving a record the truth calls unique. */
  falseMerges: number;
  falseMergesPer2000: number;
}

/**
 * For truth that only flags duplicate-set members without saying which set (IEBH libraries).
 * A merged unflagged record is certainly a false merge; two flagged records from different sets
 * merged together cannot be detected, so `falseMerges` is a lower bound.
 */
export function scoreFlags(predicted: readonly (number | string)[], flagged: readonly boolean[], counted?: readonly boolean[]): FlagScores {
  // `counted` restricts the figures to some records (one half of a split) while groups still span all.
  const counts = (i: number) => counted?.[i] ?? true;
  const groups = new Map<number | string, number[]>();
  predicted.forEach((g, i) => groups.set(g, [...(groups.get(g) ?? []), i]));
  let hit = 0;
  let inMulti = 0;
  let falseMerges = 0;
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const mine = members.filter(counts);
    inMulti += mine.length;
    const unflagged = mine.filter((i) => !flagged[i]).length;
    hit += mine.length - unflagged;
    // In an all-unique group the first member is the one kept, not a false merge.
    const keptUnique = members.every((i) => !flagged[i]) && counts(members[0]!);
    falseMerges += unflagged - (keptUnique ? 1 : 0);
  }
  const records = predicted.filter((_, i) => counts(i)).length;
  const totalFlagged = flagged.filter((f, i) => f && counts(i)).length;
  return {
    records,
    flagged: totalFlagged,
    recordRecall: ratio(hit, totalFlagged),
    recordPrecision: ratio(hit, inMulti),
    falseMerges,
    falseMergesPer2000: (falseMerges * 2000) / records,
  };
}
