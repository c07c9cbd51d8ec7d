// Lists the matcher's errors on the TRAINING half of the labelled sets, for tuning rules without
// looking at held-out records: `npx tsx bench/dedup-errors.ts [set...] [--misses|--merges|--uncertain]`.
// A miss is a labelled duplicate pair, both records in the training half, left in two groups; a
// false merge is a pair so placed in one group with different labels. Held-out errors are never
// printed, only counted by the benchmark.
import { dedupeRecords } from '../src/dedup/cluster.js';
import { matchPair } from '../src/dedup/match.js';
import { normalizeRecord } from '../src/dedup/record.js';
import type { SourceRecord } from '../src/records/types.js';
import { SHARED_DEDUP, labelledSetsAvailable, loadLabelledSets } from './dedup-sets.js';

if (!labelledSetsAvailable()) {
  console.log(`labelled sets not found at ${SHARED_DEDUP}`);
  process.exit(0);
}
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('--'));
const only = args.find((a) => ['--misses', '--merges', '--uncertain'].includes(a));
const show = { misses: !only || only === '--misses', merges: !only || only === '--merges', uncertain: only === '--uncertain' };

const line = (r: SourceRecord) =>
  [r.sourceId, r.year, r.authors.map((a) => a.family).slice(0, 4).join(';'), r.title, r.journal, `v${r.volume ?? ''}`, `n${r.issue ?? ''}`, `p${r.pages ?? ''}`, r.doi ?? '']
    .map((x) => String(x ?? ''))
    .join(' | ');

for (const set of loadLabelledSets()) {
  if (names.length && !names.includes(set.name)) continue;
  if (set.truth.kind !== 'groups') continue;
  const truth = set.truth.groupOf;
  const res = dedupeRecords(set.records);
  const norm = set.records.map(normalizeRecord);
  const train = set.records.map((_, i) => i).filter((i) => set.training[i]);
  const byTruth = new Map<string, number[]>();
  const byOurs = new Map<number, number[]>();
  for (const i of train) {
    byTruth.set(truth[i]!, [...(byTruth.get(truth[i]!) ?? []), i]);
    byOurs.set(res.groupOf[i]!, [...(byOurs.get(res.groupOf[i]!) ?? []), i]);
  }
  const misses: Array<[number, number]> = [];
  const merges: Array<[number, number]> = [];
  for (const g of byTruth.values()) {
    // One pair per split: the first member of each of our groups against the first overall.
    const heads = [...new Map(g.map((i) => [res.groupOf[i]!, i])).values()];
    for (const h of heads.slice(1)) misses.push([heads[0]!, h]);
  }
  for (const g of byOurs.values()) {
    const heads = [...new Map(g.map((i) => [truth[i]!, i])).values()];
    for (const h of heads.slice(1)) merges.push([heads[0]!, h]);
  }
  console.log(`\n## ${set.name}: ${misses.length} missed, ${merges.length} falsely merged (training half)`);
  const print = (kind: string, pairs: Array<[number, number]>) => {
    for (const [a, b] of pairs) {
      const d = matchPair(norm[a]!, norm[b]!);
      console.log(`\n${kind} ${d.verdict} ${d.reason} ${d.score}\n  ${line(set.records[a]!)}\n  ${line(set.records[b]!)}`);
    }
  };
  if (show.misses) print('MISS', misses);
  if (show.merges) print('MERGE', merges);
  if (show.uncertain) {
    // Pairs listed for a maintainer, both records in the training half, with what the labels say.
    const asked = res.uncertainPairs.filter((p) => set.training[p.a] && set.training[p.b]);
    const dup = asked.filter((p) => truth[p.a] === truth[p.b]);
    console.log(`${asked.length} uncertain, ${dup.length} labelled duplicates`);
    print('ASKED-DUP', dup.map((p) => [p.a, p.b]));
    print('ASKED-DIFFERENT', asked.filter((p) => truth[p.a] !== truth[p.b]).map((p) => [p.a, p.b]));
  }
}
