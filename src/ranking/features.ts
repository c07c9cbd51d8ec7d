// Text features for relevance ranking: TF-IDF over the words of title and abstract (unigrams and
// bigrams) plus keywords and MeSH headings as whole-heading terms, in the scikit-learn recipe the
// screening-prioritisation literature uses (sublinear tf, smooth idf, L2-normalised rows).
import { words } from '../strategy/evaluate.js';

/** What a work offers the ranker. Keywords and MeSH are optional: not every source has them. */
export interface RankText {
  title: string;
  abstract: string | null;
  keywords: readonly string[];
  mesh: readonly string[];
}

/** A sparse row: parallel term indices (ascending) and values, L2-normalised. */
export interface SparseVector {
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** The terms of a text, repeated as often as they occur. */
export function terms(text: RankText): string[] {
  const out: string[] = [];
  // Title and abstract are separate runs so no bigram spans the two.
  for (const field of [text.title, text.abstract ?? '']) {
    // Single letters and digits (list markers, "a") carry no topic.
    const ws = words(field).filter((w) => w.length > 1);
    for (let i = 0; i < ws.length; i++) {
      out.push(ws[i]!);
      if (i > 0) out.push(`${ws[i - 1]} ${ws[i]}`);
    }
  }
  // Prefixed so a heading never collides with the same word in the abstract.
  for (const k of text.keywords) out.push(`kw:${words(k).join(' ')}`);
  for (const m of text.mesh) out.push(`mesh:${words(m).join(' ')}`);
  return out;
}

export interface Tfidf {
  /** Number of distinct terms kept (the columns). */
  readonly size: number;
  /** One row per corpus text, in corpus order. */
  readonly vectors: SparseVector[];
}

/** Terms in more than this share of documents say nothing about any one of them. */
const MAX_DF = 0.95;

/**
 * Fits vocabulary and idf on a corpus and returns its rows. The corpus is every text that will be
 * trained on or ranked (as ASReview does), so terms found only in unscreened records shape the idf.
 */
export function fitTfidf(corpus: readonly RankText[]): Tfidf {
  const docs = corpus.map(terms);
  const df = new Map<string, number>();
  for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = corpus.length;
  const column = new Map<string, number>();
  const idf: number[] = [];
  // Sorted so the column order, and with it every float sum, never depends on corpus order.
  for (const t of [...df.keys()].sort()) {
    const d = df.get(t)!;
    if (n >= 2 && d > MAX_DF * n) continue;
    column.set(t, idf.length);
    idf.push(Math.log((1 + n) / (1 + d)) + 1);
  }
  const vectors = docs.map((doc): SparseVector => {
    const counts = new Map<number, number>();
    for (const t of doc) {
      const c = column.get(t);
      if (c !== undefined) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const index = Int32Array.from(counts.keys()).sort();
    const value = new Float64Array(index.length);
    let norm = 0;
    for (let i = 0; i < index.length; i++) {
      const v = (1 + Math.log(counts.get(index[i]!)!)) * idf[index[i]!]!;
      value[i] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < value.length; i++) value[i] = value[i]! / norm;
    return { index, value };
  });
  return { size: idf.length, vectors };
}
