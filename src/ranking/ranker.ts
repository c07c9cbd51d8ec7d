import { DocumentFrequencies, terms, vectorize, type RankText } from './features.js';
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

/** Texts handled between two returns to the event loop. */
const SLICE = 500;

const giveBackTheLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains on the labelled texts and scores the unlabelled ones, with the idf fitted on both
 * together. Labelled texts without a single term (a seed known only by DOI) teach nothing and are
 * not counted. The texts are counted and scored a slice at a time with the event loop given back
 * in between: on a review of 70,000 pending works this ran for 90 s in one go, and a worker's
 * BullMQ lock, a digest's SMTP session and /healthz waited meanwhile. Only the labelled rows are
 * held; each pending row is scored and dropped.
 */
export async function rank(labelled: readonly LabelledText[], unlabelled: readonly RankText[], pause: () => Promise<void> = giveBackTheLoop): Promise<Ranking> {
  const usable = labelled.filter((l) => terms(l.text).length > 0);
  const trained = {
    includes: usable.filter((l) => l.label === 'include').length,
    excludes: usable.filter((l) => l.label === 'exclude').length,
  };
  if (!enoughToTrain(trained)) return { kind: 'cold-start', trained };
  const df = new DocumentFrequencies();
  const corpus = [...usable.map((l) => l.text), ...unlabelled];
  for (let i = 0; i < corpus.length; i++) {
    df.add(corpus[i]!);
    if (i % SLICE === SLICE - 1) await pause();
  }
  const vocabulary = df.vocabulary();
  const rows = usable.map((l) => vectorize(vocabulary, l.text));
  const model = trainLogistic(rows, usable.map((l) => l.label === 'include'), vocabulary.size, DEFAULT_LOGISTIC);
  const scores: number[] = [];
  for (let i = 0; i < unlabelled.length; i++) {
    scores.push(probability(model, vectorize(vocabulary, unlabelled[i]!)));
    if (i % SLICE === SLICE - 1) await pause();
  }
  return { kind: 'model', trained, scores };
}
