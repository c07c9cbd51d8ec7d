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

/** A trained model, or the reason there is none: too few decisions of one class. */
export type Ranker =
  | { kind: 'model'; trained: ClassCounts; score(text: RankText): number }
  | { kind: 'cold-start'; trained: ClassCounts };

export function enoughToTrain(c: ClassCounts): boolean {
  return c.includes >= MIN_PER_CLASS && c.excludes >= MIN_PER_CLASS;
}

/**
 * Trains on the labelled texts, with the idf fitted on labelled and unlabelled texts together
 * (the set that will be ranked). Labelled texts without a single term (a seed known only by DOI)
 * teach nothing and are not counted.
 */
export function trainRanker(labelled: readonly LabelledText[], unlabelled: readonly RankText[]): Ranker {
  const usable = labelled.filter((l) => terms(l.text).length > 0);
  const trained = {
    includes: usable.filter((l) => l.label === 'include').length,
    excludes: usable.filter((l) => l.label === 'exclude').length,
  };
  if (!enoughToTrain(trained)) return { kind: 'cold-start', trained };
  const tfidf = fitTfidf([...usable.map((l) => l.text), ...unlabelled]);
  const model = trainLogistic(
    usable.map((l) => tfidf.vectorize(l.text)),
    usable.map((l) => l.label === 'include'),
    tfidf.size,
    DEFAULT_LOGISTIC,
  );
  return { kind: 'model', trained, score: (text) => probability(model, tfidf.vectorize(text)) };
}
