import type { SourceRecord } from '../records/types.js';
import { blockKeys } from './blocking.js';
import { blocksGrouping, matchPair } from './match.js';
import { type NormalizedRecord, normalizeRecord } from './record.js';
import { type Relation, declaredRelations, relatePair } from './relations.js';

export interface DedupeOptions {
  /** Blocks larger than this are compared by sorted neighbourhood instead of all pairs. */
  maxBlock?: number;
  /** Neighbours compared on each side within a large block. */
  window?: number;
  /** Members per side checked before two groups are joined. */
  guardSample?: number;
}

export interface DedupeGroup {
  /** Indexes into the input records; the first is the lowest index. */
  members: number[];
}

export interface UncertainPair {
  a: number;
  b: number;
  score: number;
  reason: string;
}

export interface DedupeResult {
  /** Every input record is in exactly one group; singletons included, ordered by first member. */
  groups: DedupeGroup[];
  /** groupOf[i] is the index in `groups` of record i. */
  groupOf: number[];
  /** Pairs kept apart that a maintainer should look at. */
  uncertainPairs: UncertainPair[];
  relations: Relation[];
}

const DEFAULTS: Required<DedupeOptions> = { maxBlock: 50, window: 10, guardSample: 12 };

function isNormalized(r: SourceRecord | NormalizedRecord): r is NormalizedRecord {
  return 'titleGrams' in r;
}

/** Candidate pairs (i < j) from the block keys, de-duplicated. */
export function candidatePairs(records: readonly NormalizedRecord[], opts: Required<DedupeOptions>): Array<[number, number]> {
  const blocks = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const k of blockKeys(r)) {
      const list = blocks.get(k);
      if (list) list.push(i);
      else blocks.set(k, [i]);
    }
  });
  const seen = new Set<number>();
  const out: Array<[number, number]> = [];
  const n = records.length;
  const push = (x: number, y: number) => {
    const [i, j] = x < y ? [x, y] : [y, x];
    const id = i * n + j;
    if (i === j || seen.has(id)) return;
    seen.add(id);
    out.push([i, j]);
  };
  for (const members of blocks.values()) {
    if (members.length < 2) continue;
    if (members.length <= opts.maxBlock) {
      for (let x = 0; x < members.length; x++) for (let y = x + 1; y < members.length; y++) push(members[x]!, members[y]!);
      continue;
    }
    // Sorted neighbourhood keeps the cost linear in the block size.
    const sorted = [...members].sort((x, y) => (records[x]!.title < records[y]!.title ? -1 : records[x]!.title > records[y]!.title ? 1 : x - y));
    for (let x = 0; x < sorted.length; x++) {
      for (let y = x + 1; y <= x + opts.window && y < sorted.length; y++) push(sorted[x]!, sorted[y]!);
    }
  }
  return out;
}

/**
 * Groups records that are the same work. Blocking → `matchPair` on candidate pairs → union-find
 * over 'same' pairs, strongest first; two groups are joined only if no sampled member pair is
 * decisively different, so a chain A~B~C cannot join A and C when they conflict.
 */
export function dedupeRecords(
  input: readonly SourceRecord[] | readonly NormalizedRecord[],
  options: DedupeOptions = {},
): DedupeResult {
  const opts = { ...DEFAULTS, ...options };
  const records = (input as ReadonlyArray<SourceRecord | NormalizedRecord>).map((r) => (isNormalized(r) ? r : normalizeRecord(r)));
  const same: Array<{ a: number; b: number; score: number }> = [];
  const uncertain: UncertainPair[] = [];
  const relations = declaredRelations(records);

  for (const [a, b] of candidatePairs(records, opts)) {
    const d = matchPair(records[a]!, records[b]!);
    if (d.verdict === 'same') same.push({ a, b, score: d.score });
    else if (d.verdict === 'uncertain') uncertain.push({ a, b, score: d.score, reason: d.reason });
    else if (d.reason === 'notice-vs-article' || d.reason === 'preprint-vs-published') {
      const rel = relatePair(records[a]!, records[b]!);
      if (rel) relations.push(rel.from === 'a' ? { from: a, to: b, type: rel.type } : { from: b, to: a, type: rel.type });
    }
  }

  const parent = records.map((_, i) => i);
  const members = records.map((_, i) => [i]);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  same.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);
  for (const { a, b, score } of same) {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) continue;
    const conflict = firstConflict(records, members[ra]!, members[rb]!, opts.guardSample);
    if (conflict) {
      uncertain.push({ a, b, score, reason: `chain-guard:${conflict}` });
      continue;
    }
    const [big, small] = members[ra]!.length >= members[rb]!.length ? [ra, rb] : [rb, ra];
    parent[small] = big;
    members[big]!.push(...members[small]!);
    members[small] = [];
  }

  const groups: DedupeGroup[] = [];
  const groupOf = new Array<number>(records.length);
  const rootGroup = new Map<number, number>();
  records.forEach((_, i) => {
    const root = find(i);
    let g = rootGroup.get(root);
    if (g === undefined) {
      g = groups.length;
      rootGroup.set(root, g);
      groups.push({ members: [] });
    }
    groups[g]!.members.push(i);
    groupOf[i] = g;
  });

  return {
    groups,
    groupOf,
    uncertainPairs: uncertain.filter((p) => groupOf[p.a] !== groupOf[p.b]),
    relations,
  };
}

function firstConflict(records: readonly NormalizedRecord[], x: number[], y: number[], sample: number): string | undefined {
  if (x.length === 1 && y.length === 1) return undefined; // the pair itself was just judged 'same'
  for (const i of x.slice(0, sample)) {
    for (const j of y.slice(0, sample)) {
      const d = matchPair(records[i]!, records[j]!);
      if (blocksGrouping(d)) return d.reason;
    }
  }
  return undefined;
}
