// Deduplication accuracy on every labelled set in ../shared/dedup, then runtime at 10,000 and
// 80,000 records. Run with `npm run bench` (or `npm run bench -- dedup`).
import { dedupeRecords } from '../src/dedup/cluster.js';
import { scoreGroups } from '../src/dedup/evaluate.js';
import type { SourceRecord } from '../src/records/types.js';
import { type LabelledSet, type Part, SHARED_DEDUP, labelledSetsAvailable, loadLabelledSets, scorePart, table } from './dedup-sets.js';

if (!labelledSetsAvailable()) {
  console.log(`skipped: labelled sets not found at ${SHARED_DEDUP}`);
  process.exit(0);
}

const f3 = (x: number) => x.toFixed(3);
const sets = loadLabelledSets();
const rows: string[][] = [];
const PARTS: Part[] = ['train', 'held-out', 'all'];
for (const set of sets) {
  const t0 = performance.now();
  const res = dedupeRecords(set.records);
  const seconds = ((performance.now() - t0) / 1000).toFixed(2);
  for (const part of PARTS) {
    const p = scorePart(set, res.groupOf, part);
    const tail = [
      String(p.scores.falseMerges),
      p.scores.falseMergesPer2000.toFixed(2),
      part === 'all' ? uncertain(set, res.uncertainPairs) : '',
      part === 'all' ? afterReview(set, res.groupOf, res.uncertainPairs) : '',
      part === 'all' ? seconds : '',
    ];
    if (p.kind === 'groups') {
      const s = p.scores;
      rows.push([set.name, part, String(s.records), String(s.trueDuplicates), f3(s.pairPrecision), f3(s.pairRecall), f3(s.recordPrecision), f3(s.recordRecall), ...tail]);
    } else {
      const s = p.scores;
      tail[0] = `≥${s.falseMerges}`;
      rows.push([set.name, part, String(s.records), `${s.flagged} flagged`, 'n/a', 'n/a', f3(s.recordPrecision), f3(s.recordRecall), ...tail]);
    }
  }
}
table(['set', 'part', 'records', 'true dups', 'pair P', 'pair R', 'rec P', 'rec R (dup recall)', 'false merges', 'FM/2000', 'uncertain (dup)', 'rec R after review', 's'], rows);
console.log('Parts: records split by sha1(record id), first byte even = train; rules are tuned on training-half errors only. Pairs straddling the halves count in "all" only.');
console.log('Uncertain: pairs left apart for a maintainer, with (in brackets) how many the labels call duplicates;');
console.log('"after review": duplicate recall once a maintainer has answered every listed pair as the labels would.');
console.log('IEBH sets flag duplicate-set members without group ids: rec P/R are over flagged records; false merges are a lower bound.');

function uncertain(set: LabelledSet, pairs: ReadonlyArray<{ a: number; b: number }>): string {
  const { truth } = set;
  if (truth.kind !== 'groups') return String(pairs.length);
  return `${pairs.length} (${pairs.filter((p) => truth.groupOf[p.a] === truth.groupOf[p.b]).length})`;
}

/** Record recall once every uncertain pair the labels call a duplicate is merged (a maintainer's "same"). */
function afterReview(set: LabelledSet, groupOf: readonly number[], pairs: ReadonlyArray<{ a: number; b: number }>): string {
  const { truth } = set;
  if (truth.kind !== 'groups') return '';
  const parent = groupOf.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const first = new Map<number, number>();
  groupOf.forEach((g, i) => (first.has(g) ? (parent[find(i)] = find(first.get(g)!)) : first.set(g, i)));
  for (const { a, b } of pairs) if (truth.groupOf[a] === truth.groupOf[b]) parent[find(a)] = find(b);
  return f3(scoreGroups(groupOf.map((_, i) => find(i)), truth.groupOf).recordRecall);
}

// Scaling: clone every labelled record with a per-clone perturbation (title word, author suffix,
// volume shift), so each clone is a distinct copy of the set with the same duplicate structure.
const pool = sets.flatMap((s) => s.records);
const WORDS = ['alpha', 'delta', 'kappa', 'sigma', 'omega', 'gamma', 'theta', 'lambda', 'zeta', 'rho', 'tau', 'phi'];
function synthetic(n: number): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (let clone = 0; out.length < n; clone++) {
    const tag = `${WORDS[clone % WORDS.length]} ${WORDS[Math.floor(clone / WORDS.length) % WORDS.length]}`;
    for (const r of pool) {
      if (out.length === n) break;
      out.push({
        ...r,
        sourceId: `${clone}:${r.sourceId}`,
        title: clone === 0 ? r.title : `${r.title} ${tag}`,
        authors: r.authors.map((a, i) => (i === 0 && clone > 0 ? { ...a, family: `${a.family}${tag.replace(' ', '')}` } : a)),
        volume: r.volume && clone > 0 ? String(Number(r.volume.replace(/\D/g, '') || 0) + clone * 7) : r.volume,
        doi: r.doi && clone > 0 ? `${r.doi}.${clone}` : r.doi,
      });
    }
  }
  return out;
}
const scale: string[][] = [];
for (const n of [10_000, 80_000]) {
  const recs = synthetic(n);
  const t0 = performance.now();
  const res = dedupeRecords(recs);
  const seconds = (performance.now() - t0) / 1000;
  scale.push([String(n), String(res.groups.length), seconds.toFixed(2), `${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`]);
}
table(['synthetic records', 'groups', 's', 'rss'], scale);
