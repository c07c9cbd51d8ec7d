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

/** A sparse row: parallel term indices (in the terms' sorted order) and values, L2-normalised. */
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

/** Columns and their idf, fitted on a corpus. A column whose idf is 0 is not used (MAX_DF). */
export interface Vocabulary {
  readonly size: number;
  readonly column: ReadonlyMap<string, number>;
  readonly idf: Float64Array;
}

/** Terms in more than this share of documents say nothing about any one of them. */
const MAX_DF = 0.95;

/**
 * Document frequencies, one text at a time: a corpus of 70,000 works is counted without holding
 * its term lists (they took gigabytes), and a caller can give the event loop back between texts.
 * Columns are numbered as terms are met, and the one map serves as the vocabulary: a sort or a
 * second map of millions of terms held the event loop for tens of seconds.
 */
export class DocumentFrequencies {
  private readonly column = new Map<string, number>();
  private df: number[] = [];
  private n = 0;

  add(text: RankText): void {
    this.n++;
    for (const t of new Set(terms(text))) {
      const c = this.column.get(t);
      if (c === undefined) {
        this.column.set(t, this.df.length);
        this.df.push(1);
      } else this.df[c]!++;
    }
  }

  vocabulary(): Vocabulary {
    const idf = new Float64Array(this.df.length);
    for (let c = 0; c < idf.length; c++) {
      const d = this.df[c]!;
      idf[c] = this.n >= 2 && d > MAX_DF * this.n ? 0 : Math.log((1 + this.n) / (1 + d)) + 1;
    }
    return { size: idf.length, column: this.column, idf };
  }
}

/**
 * A text's row: sublinear tf times idf, L2-normalised; terms outside the vocabulary are dropped.
 * Entries follow the terms' sorted order, so every float sum over a row is the same however the
 * corpus was ordered and its columns numbered.
 */
export function vectorize(v: Vocabulary, text: RankText): SparseVector {
  const counts = new Map<string, number>();
  for (const t of terms(text)) {
    const c = v.column.get(t);
    if (c !== undefined && v.idf[c]! > 0) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const kept = [...counts.keys()].sort();
  const index = Int32Array.from(kept, (t) => v.column.get(t)!);
  const value = new Float64Array(index.length);
  let norm = 0;
  for (let i = 0; i < index.length; i++) {
    const x = (1 + Math.log(counts.get(kept[i]!)!)) * v.idf[index[i]!]!;
    value[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < value.length; i++) value[i] = value[i]! / norm;
  return { index, value };
}

/**
 * Fits vocabulary and idf on a corpus and returns its rows. The corpus is every text that will be
 * trained on or ranked (as ASReview does), so terms found only in unscreened records shape the idf.
 */
export function fitTfidf(corpus: readonly RankText[]): Tfidf {
  const df = new DocumentFrequencies();
  for (const text of corpus) df.add(text);
  const v = df.vocabulary();
  return { size: v.size, vectors: corpus.map((text) => vectorize(v, text)) };
}
