// The strategy run locally on a record, for sources whose search is not Boolean (Crossref ranks
// every record sharing any word) and to check what a source returned against the protocol.
// Semantics follow PubMed's [tiab]: a term is a phrase of whole words, a trailing `*` truncates the
// last word; blocks are ANDed, terms within a block ORed, MeSH headings match the record's own
// descriptors (a qualifier such as /prevention & control is ignored, and headings are not
// exploded to their narrower ones as PubMed does: list those too). Publication types match the
// record's types in its source's own names (./vocabulary.ts), also without PubMed's explosion.
import type { SourceRecord } from '../records/types.js';
import type { Alternatives, SearchStrategy, TermField, TextTerm } from './types.js';
import { checkable, vocabularyOf } from './vocabulary.js';

/** Words of a text, lower case, without diacritics; hyphens and punctuation separate words. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    // A soft hyphen or zero-width joiner sits inside a word ("na\u00ADloxone"): not a boundary.
    .replace(/[\p{M}\u00ad\u200b-\u200d\u2060\ufeff]/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** A compiled term: its words, the last of which may be a prefix. */
interface Phrase {
  words: string[];
  truncated: boolean;
}

function phraseOf(term: TextTerm): Phrase {
  const truncated = term.text.trimEnd().endsWith('*');
  return { words: words(term.text.replace(/\*\s*$/, '')), truncated };
}

function occursIn(phrase: Phrase, text: readonly string[]): boolean {
  const n = phrase.words.length;
  if (n === 0) return false;
  for (let i = 0; i + n <= text.length; i++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) {
      const w = text[i + k]!;
      const p = phrase.words[k]!;
      ok = k === n - 1 && phrase.truncated ? w.startsWith(p) : w === p;
    }
    if (ok) return true;
  }
  return false;
}

interface RecordText {
  title: string[];
  abstract: string[];
  /** Title, abstract, keywords and MeSH headings (PubMed's [all] covers MeSH too). */
  all: string[];
  mesh: Set<string>;
  /** Publication types, lower case. */
  types: Set<string>;
}

/** The fields of a record the check reads. */
export type CheckedRecord = Pick<SourceRecord, 'title' | 'abstract' | 'keywords' | 'meshTerms' | 'publicationTypes'>;

function recordText(r: CheckedRecord): RecordText {
  const title = words(r.title ?? '');
  const abstract = words(r.abstract ?? '');
  return {
    title,
    abstract,
    all: [...title, ...abstract, ...words([...(r.keywords ?? []), ...(r.meshTerms ?? [])].join(' ; '))],
    mesh: new Set((r.meshTerms ?? []).map(descriptor)),
    types: new Set((r.publicationTypes ?? []).map((t) => t.trim().toLowerCase())),
  };
}

/** A heading without its qualifier: "Peer Group/psychology" is "Peer Group". */
export function meshDescriptor(heading: string): string {
  return heading.split('/')[0]!.trim();
}

/** A heading's descriptor, lower case, as headings are compared. */
function descriptor(heading: string): string {
  return meshDescriptor(heading).toLowerCase();
}

function inField(phrase: Phrase, field: TermField, text: RecordText): boolean {
  if (field === 'title') return occursIn(phrase, text.title);
  if (field === 'tiab') return occursIn(phrase, text.title) || occursIn(phrase, text.abstract);
  return occursIn(phrase, text.all);
}

/**
 * A strategy compiled once for records of `source`: `matches(record)` is true when every block
 * has a term, MeSH heading or publication type the record holds and no `not` block has one (but
 * for a record that also holds one of the block's `unless`). A not block whose `unless` the
 * source's records cannot show (localCheckNotes says which) is not applied: it would leave out
 * records PubMed keeps. Language and year limits are left to the source's filters.
 */
export function compileEvaluator(strategy: SearchStrategy, source = 'pubmed'): (r: CheckedRecord) => boolean {
  const vocabulary = vocabularyOf(source);
  const compile = (b: Alternatives) => ({
    terms: b.terms.map((t) => ({ phrase: phraseOf(t), field: t.field })),
    mesh: b.mesh.map(descriptor),
    // A type the source has no name for matches none of its records.
    types: (b.publicationTypes ?? []).flatMap((t) => vocabulary.types(t) ?? []),
  });
  type Compiled = ReturnType<typeof compile>;
  const holds = (b: Compiled, text: RecordText) =>
    b.terms.some((t) => inField(t.phrase, t.field, text)) || b.mesh.some((m) => text.mesh.has(m)) || b.types.some((t) => text.types.has(t));
  const blocks = strategy.blocks.map(compile);
  const not = (strategy.not ?? [])
    .filter((b) => !b.unless || checkable(b.unless, vocabulary))
    .map((b) => ({ leaves: compile(b), unless: b.unless ? compile(b.unless) : undefined }));
  return (record) => {
    const text = recordText(record);
    return blocks.every((b) => holds(b, text)) && !not.some((b) => holds(b.leaves, text) && !(b.unless && holds(b.unless, text)));
  };
}
