import { describe, expect, it } from 'vitest';
import { fitTfidf, terms, type RankText } from '../../src/ranking/features.js';
import { DEFAULT_LOGISTIC, probability, trainLogistic } from '../../src/ranking/logistic.js';
import { MIN_PER_CLASS, rank, type LabelledText } from '../../src/ranking/ranker.js';

const text = (title: string, abstract: string | null = null, over: Partial<RankText> = {}): RankText => ({ title, abstract, keywords: [], mesh: [], ...over });

// Two topics that share filler words: peer naloxone work (relevant) and knee surgery (not).
const relevant = ['Peer workers distribute naloxone', 'Naloxone kits from peer outreach', 'Peer naloxone training reduces overdose deaths', 'Overdose response by peer workers', 'Take-home naloxone and peer support', 'Peer-delivered overdose prevention'];
const irrelevant = ['Knee replacement surgery outcomes', 'Arthroscopic knee surgery in athletes', 'Cartilage repair after knee injury', 'Surgery outcomes for knee osteoarthritis', 'Knee injury rehabilitation trial', 'Hip and knee arthroplasty costs'];
const labelled: LabelledText[] = [
  ...relevant.map((t) => ({ text: text(t, 'A study of outcomes.'), label: 'include' as const })),
  ...irrelevant.map((t) => ({ text: text(t, 'A study of outcomes.'), label: 'exclude' as const })),
];
const pool = [text('Naloxone distribution by peer navigators'), text('Knee surgery complications'), text('Peer overdose response teams'), text('Knee arthroplasty in older adults')];

describe('ranking features', () => {
  it('words without diacritics, bigrams within a field, prefixed headings', () => {
    expect(terms(text('Café naloxone', 'a Peer-led study', { keywords: ['Harm Reduction'], mesh: ['Analgesics, Opioid'] }))).toEqual([
      'cafe',
      'naloxone',
      'cafe naloxone',
      'peer',
      'led',
      'peer led',
      'study',
      'led study',
      'kw:harm reduction',
      'mesh:analgesics opioid',
    ]);
  });

  it('tf-idf rows are L2-normalised and rarer terms weigh more', () => {
    const tfidf = fitTfidf([text('naloxone peer'), text('naloxone knee'), text('naloxone hip'), text('other words'), text('a b')]);
    const v = tfidf.vectors[0]!;
    expect([...v.value].reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 10);
    // 'naloxone' (in 3 of 4 documents) weighs less than 'peer' and 'naloxone peer' (1 each).
    const [low, mid, high] = [...v.value].sort((a, b) => a - b) as [number, number, number];
    expect(v.index).toHaveLength(3);
    expect(mid).toBeCloseTo(high, 12);
    expect(low).toBeLessThan(mid * 0.8);
    // Nothing but single letters: no term, an empty row.
    expect(tfidf.vectors[4]!.index).toHaveLength(0);
  });
});

describe('logistic regression', () => {
  it('separates a separable set and is deterministic', () => {
    const tfidf = fitTfidf(labelled.map((l) => l.text));
    const xs = tfidf.vectors;
    const ys = labelled.map((l) => l.label === 'include');
    const a = trainLogistic(xs, ys, tfidf.size);
    const b = trainLogistic(xs, ys, tfidf.size);
    expect(a.bias).toBe(b.bias);
    expect([...a.weights]).toEqual([...b.weights]);
    expect(() => trainLogistic(xs.slice(0, 3), [true, true, true], tfidf.size)).toThrow(/both classes/);
  });
});

describe('ranker', () => {
  it('ranks texts like the includes above texts like the excludes, with scores in [0,1]', async () => {
    const ranking = await rank(labelled, pool);
    if (ranking.kind !== 'model') throw new Error('expected a model');
    expect(ranking.trained).toEqual({ includes: 6, excludes: 6 });
    const scores = ranking.scores;
    for (const s of scores) expect(s).toBeGreaterThanOrEqual(0), expect(s).toBeLessThanOrEqual(1);
    const [naloxone, knee, overdose, arthroplasty] = scores as [number, number, number, number];
    expect(Math.min(naloxone, overdose)).toBeGreaterThan(Math.max(knee, arthroplasty));
  });

  it('gives the same scores whatever order the decisions come in', async () => {
    const a = await rank(labelled, pool);
    const b = await rank([...labelled].reverse(), [...pool].reverse());
    if (a.kind !== 'model' || b.kind !== 'model') throw new Error('expected models');
    expect([...b.scores].reverse()).toEqual(a.scores);
  });

  it(`cold start: no model below ${MIN_PER_CLASS} includes and ${MIN_PER_CLASS} excludes`, async () => {
    const includes = labelled.filter((l) => l.label === 'include');
    const excludes = labelled.filter((l) => l.label === 'exclude');
    expect(await rank([], pool)).toEqual({ kind: 'cold-start', trained: { includes: 0, excludes: 0 } });
    expect(await rank([...includes.slice(0, MIN_PER_CLASS - 1), ...excludes], pool)).toEqual({ kind: 'cold-start', trained: { includes: MIN_PER_CLASS - 1, excludes: 6 } });
    expect((await rank([...includes, ...excludes.slice(0, MIN_PER_CLASS - 1)], pool)).kind).toBe('cold-start');
    expect((await rank([...includes.slice(0, MIN_PER_CLASS), ...excludes.slice(0, MIN_PER_CLASS)], pool)).kind).toBe('model');
  });

  it('a decided work with no text (a seed known by DOI only) does not count towards the minimum', async () => {
    const includes = labelled.filter((l) => l.label === 'include').slice(0, MIN_PER_CLASS - 1);
    const excludes = labelled.filter((l) => l.label === 'exclude');
    const empty: LabelledText = { text: text(''), label: 'include' };
    expect(await rank([...includes, empty, ...excludes], pool)).toEqual({ kind: 'cold-start', trained: { includes: MIN_PER_CLASS - 1, excludes: 6 } });
  });

  it('on a long pool gives the event loop back between slices, with the scores of one fit over the whole corpus', async () => {
    const big = Array.from({ length: 1_300 }, (_, i) => text(`${i % 2 ? 'Peer naloxone outreach' : 'Knee surgery recovery'} number ${i}`, `Abstract ${i % 7} of outcomes.`));
    let pauses = 0;
    const ranking = await rank(labelled, big, async () => {
      pauses++;
    });
    if (ranking.kind !== 'model') throw new Error('expected a model');
    expect(pauses).toBeGreaterThanOrEqual(4);
    // The one-pass recipe: vocabulary over labelled + pool, train on the labelled rows, score the rest.
    const { size, vectors } = fitTfidf([...labelled.map((l) => l.text), ...big]);
    const model = trainLogistic(vectors.slice(0, labelled.length), labelled.map((l) => l.label === 'include'), size, DEFAULT_LOGISTIC);
    expect(ranking.scores).toEqual(vectors.slice(labelled.length).map((x) => probability(model, x)));
  });
});
