// What the local check can read off a source's records. Protocols name publication types as
// PubMed does; PubMed and Europe PMC records carry those names (Europe PMC's pubTypeList), but
// OpenAlex gives its own `type` (article, review, letter...) and Crossref its own (journal-article,
// posted-content + subtype preprint). A type is checked on those sources only where one of their
// types means the same; any other is reported, never guessed.
import type { Alternatives, SearchStrategy } from './types.js';

export interface Vocabulary {
  /** The source's own values (lower case) for a PubMed publication type, or undefined if it has none. */
  types(pubmedName: string): readonly string[] | undefined;
  /** Whether the source's records carry MeSH headings at all. */
  mesh: boolean;
}

/** PubMed publication types (lower case) that OpenAlex and Crossref have a type of their own for. */
const OWN_TYPES: Record<string, Record<string, readonly string[]>> = {
  openalex: {
    editorial: ['editorial'],
    letter: ['letter'],
    review: ['review'],
    'published erratum': ['erratum'],
    'retraction of publication': ['retraction'],
    preprint: ['preprint'],
    dataset: ['dataset'],
  },
  // The parser keeps Crossref's type and subtype: a preprint is posted-content + preprint.
  crossref: {
    preprint: ['preprint'],
    dataset: ['dataset'],
  },
};

const SOURCE_NAMES: Record<string, string> = { openalex: 'OpenAlex', crossref: 'Crossref' };

export function vocabularyOf(source: string): Vocabulary {
  const own = OWN_TYPES[source];
  return {
    types: own ? (name) => own[name.trim().toLowerCase()] : (name) => [name.trim().toLowerCase()],
    mesh: source !== 'crossref',
  };
}

/** What a block without terms holds, for messages: "MeSH headings", "publication types" or both. */
export function indexingOf(b: Alternatives): string {
  const kinds = [...(b.mesh.length > 0 ? ['MeSH headings'] : []), ...(b.publicationTypes?.length ? ['publication types'] : [])];
  return kinds.join(' and ');
}

/** Whether every alternative of `a` can be read off the source's records. */
export function checkable(a: Alternatives, v: Vocabulary): boolean {
  return (v.mesh || a.mesh.length === 0) && (a.publicationTypes ?? []).every((t) => v.types(t) !== undefined);
}

/**
 * What a maintainer should know about checking the strategy's publication types and `unless`
 * locally on records of `source`, one line each. MeSH in blocks and NOT on Crossref is the
 * Crossref source's to report.
 */
export function localCheckNotes(strategy: SearchStrategy, source: string): string[] {
  const v = vocabularyOf(source);
  const unknown = (a: Alternatives) => (a.publicationTypes ?? []).filter((t) => v.types(t) === undefined);
  const name = SOURCE_NAMES[source] ?? source;
  const notes: string[] = [];
  for (const b of strategy.blocks) {
    for (const t of unknown(b)) notes.push(`${source}: publication type "${t}" of block "${b.name}" has no ${name} type of the same meaning and matches no record: the block's other alternatives still apply`);
  }
  for (const b of strategy.not ?? []) {
    for (const t of unknown(b)) notes.push(`${source}: publication type "${t}" of not block "${b.name}" has no ${name} type of the same meaning and leaves out no record`);
    // An exception the records cannot show would leave out what PubMed keeps: the block is not applied.
    if (b.unless && !checkable(b.unless, v)) {
      const missing = [...(!v.mesh && b.unless.mesh.length > 0 ? ['MeSH headings'] : []), ...unknown(b.unless).map((t) => `publication type "${t}"`)];
      notes.push(`${source}: not block "${b.name}" leaves out no record: its unless needs ${missing.join(' and ')}, which ${name} records do not carry`);
    }
  }
  return notes;
}
