// Relevance ranking on the labelled screening sets in ../shared/ranking (never copied into the
// project): simulated screening with the production ranker against random order, then the time
// of one train + score on the largest set. Run with `npm run bench -- ranking`.
//
// Protocol: label = FINAL include (after full text). Each run starts from MIN_PER_CLASS random
// includes and as many random excludes (the least the service trains on), then repeatedly
// retrains from scratch on everything screened and screens the BATCH top-ranked unscreened
// records, until every include is found. Priors are left out of every metric. PTSD and Nudging
// rows flagged as duplicates are dropped (staging would have merged them); missing abstracts stay.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { fitTfidf, type RankText, type SparseVector } from '../src/ranking/features.js';
import { DEFAULT_LOGISTIC, probability, trainLogistic } from '../src/ranking/logistic.js';
import { MIN_PER_CLASS, rank } from '../src/ranking/ranker.js';
import { orderMetrics, type OrderMetrics } from './ranking-metrics.js';

const SHARED = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'ranking');
if (!existsSync(join(SHARED, 'PROVENANCE.md'))) {
  console.log(`skipped: labelled screening sets not found at ${SHARED}`);
  process.exit(0);
}

const RUNS = 5;
const BATCH = 25;

interface LabelledSet {
  name: string;
  texts: RankText[];
  included: boolean[];
}

const list = (s: string | undefined, sep: string) => (s ?? '').split(sep).map((x) => x.trim()).filter(Boolean);

function load(name: string, file: string, row: (r: Record<string, string>) => RankText): LabelledSet {
  const rows = (parse(readFileSync(join(SHARED, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[]).filter(
    (r) => !r.duplicate_record_id,
  );
  return { name, texts: rows.map(row), included: rows.map((r) => r.label_included === '1') };
}

const sets = [
  load('Donners', 'synergy_donners_2021/Donners_2021_records.csv', (r) => ({ title: r.title!, abstract: r.abstract || null, keywords: [], mesh: list(r.mesh_descriptors, ';') })),
  load('Opioids', 'cohen2006_opioids/Opiods.csv', (r) => ({ title: r.title!, abstract: r.abstract || null, keywords: [], mesh: list(r.keywords, ';') })),
  load('Nudging', 'nudging_nagtegaal_2019/Nagtegaal_2019.csv', (r) => ({ title: r.title!, abstract: r.abstract || null, keywords: [], mesh: [] })),
  load('PTSD', 'ptsd_van_de_schoot_2017/van_de_Schoot_2017.csv', (r) => ({ title: r.title!, abstract: r.abstract || null, keywords: list(r.keywords, ','), mesh: [] })),
];

/** mulberry32: a small seeded PRNG, so every run is repeatable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** One simulated screening: the 0/1 labels of the non-prior records in the order screened. */
function simulate(set: LabelledSet, vectors: readonly SparseVector[], dim: number, seed: number) {
  const rand = prng(seed);
  const ids = set.texts.map((_, i) => i);
  const priors = [
    ...shuffle(ids.filter((i) => set.included[i]), rand).slice(0, MIN_PER_CLASS),
    ...shuffle(ids.filter((i) => !set.included[i]), rand).slice(0, MIN_PER_CLASS),
  ];
  const screened = new Set(priors);
  const rest = ids.filter((i) => !screened.has(i));
  const randomOrder = shuffle(rest, rand).map((i) => (set.included[i] ? 1 : 0));

  const total = set.included.filter(Boolean).length;
  let found = MIN_PER_CLASS;
  const order: number[] = [];
  while (found < total) {
    const labelled = [...screened];
    const model = trainLogistic(labelled.map((i) => vectors[i]!), labelled.map((i) => set.included[i]!), dim, DEFAULT_LOGISTIC);
    const pool = ids.filter((i) => !screened.has(i));
    const scores = new Map(pool.map((i) => [i, probability(model, vectors[i]!)]));
    // Best first; ties to the lower row, as a stable sort would.
    pool.sort((a, b) => scores.get(b)! - scores.get(a)! || a - b);
    for (const i of pool.slice(0, BATCH)) {
      screened.add(i);
      order.push(set.included[i] ? 1 : 0);
      if (set.included[i]) found++;
    }
  }
  while (order.length < rest.length) order.push(0);
  return { model: order.slice(0, rest.length), random: randomOrder };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const pct = (xs: number[]) => `${(100 * mean(xs)).toFixed(1)} (${(100 * sd(xs)).toFixed(1)})`;

function summarise(ms: OrderMetrics[]): string[] {
  return [
    pct(ms.map((m) => m.wss95)),
    pct(ms.map((m) => m.wss95Asreview)),
    pct(ms.map((m) => m.recall10)),
    pct(ms.map((m) => m.recall25)),
    `${mean(ms.map((m) => m.toFindAll)).toFixed(0)} (${Math.min(...ms.map((m) => m.toFindAll))}–${Math.max(...ms.map((m) => m.toFindAll))})`,
  ];
}

const rows: string[][] = [];
for (const set of sets) {
  const t0 = performance.now();
  const { size, vectors } = fitTfidf(set.texts);
  const runs = Array.from({ length: RUNS }, (_, r) => simulate(set, vectors, size, 1000 + r));
  const seconds = ((performance.now() - t0) / 1000).toFixed(0);
  const head = [set.name, String(set.texts.length), String(set.included.filter(Boolean).length)];
  rows.push([...head, 'ranked', ...summarise(runs.map((r) => orderMetrics(r.model))), seconds]);
  rows.push([...head, 'random', ...summarise(runs.map((r) => orderMetrics(r.random))), '']);
}

const header = ['set', 'N', 'incl.', 'order', 'WSS@95 % (sd)', 'WSS@95 ASReview %', 'recall@10% %', 'recall@25% %', 'screened to find all (min–max)', 's'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(
  `${RUNS} runs per set (seeds 1000–${999 + RUNS}); label: final include; priors ${MIN_PER_CLASS} includes + ${MIN_PER_CLASS} excludes, excluded from every metric;` +
    ` retrain from scratch every ${BATCH} records; WSS@95 classic = (n − screened at ceil(0.95·R)) / n − 0.05.`,
);

// One production call on the largest set: half the records decided, the other half ranked.
const largest = sets.reduce((a, b) => (b.texts.length > a.texts.length ? b : a));
const half = shuffle(largest.texts.map((_, i) => i), prng(7));
const decided = half.slice(0, largest.texts.length / 2);
const pending = half.slice(largest.texts.length / 2).map((i) => largest.texts[i]!);
const t0 = performance.now();
const ranking = await rank(decided.map((i) => ({ text: largest.texts[i]!, label: largest.included[i] ? 'include' : 'exclude' })), pending);
console.log(
  `train + score on ${largest.name} (rank(), as updateRelevance calls it): ${decided.length} decided (${ranking.trained.includes} includes), ${pending.length} scored in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
);
