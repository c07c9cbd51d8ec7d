import { fitTfidf, terms, type RankText } from './features.js';
import { DEFAULT_LOGISTIC, probability, trainLogistic } from './logistic.js';

export type Label = 'include' | 'exclude';

export interface LabelledText {
  text: RankText;
  label: Label;
}

export interface ClassCounts {
  includes: number;
  excludes: number;
}

/**
 * Decisions needed of each class before any model ranks: Rayyan's 5 + 5 (EPPI/Covidence start at
 * 2 + 2 within 25 decisions; a model from two includes mostly learns their authors' wording).
 */
export const MIN_PER_CLASS = 5;

/** Scores in [0,1] for the unlabelled texts (in their order), or no model: too few decisions. */
export type Ranking =
  | { kind: 'model'; trained: ClassCounts; scores: number[] }
  | { kind: 'cold-start'; trained: ClassCounts };

export function enoughToTrain(c: ClassCounts): boolean {
  return c.includes >= MIN_PER_CLASS && c.excludes >= MIN_PER_CLASS;
}

/**
 * Trains on the labelled texts and scores the unlabelled ones, with the idf fitted on both
 * together. Labelled texts without a single term (a seed known only by DOI) teach nothing and are
 * not counted.
 */
export function rank(labelled: readonly LabelledText[], unlabelled: readonly RankText[]): Ranking {
  const usable = labelled.filter((l) => terms(l.text).length > 0);
  const trained = {
    includes: usable.filter((l) => l.label === 'include').length,
    excludes: usable.filter((l) => l.label === 'exclude').length,
  };
  if (!enoughToTrain(trained)) return { kind: 'cold-start', trained };
  const { size, vectors } = fitTfidf([...usable.map((l) => l.text), ...unlabelled]);
  const model = trainLogistic(vectors.slice(0, usable.length), usable.map((l) => l.label === 'include'), size, DEFAULT_LOGISTIC);
  return { kind: 'model', trained, scores: vectors.slice(usable.length).map((x) => probability(model, x)) };
}
