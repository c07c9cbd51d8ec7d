/**
 * A search strategy as data: concept blocks combined with AND, terms within a block with OR.
 * Each source compiles it to its own syntax (src/strategy/compile/*); sources without Boolean
 * search get a local evaluator instead.
 */
/**
 * `all`: every field the source searches (PubMed's [all], Europe PMC's full text, OpenAlex's
 * default.search); records checked locally are matched on title, abstract, keywords and MeSH.
 */
export type TermField = 'tiab' | 'title' | 'all';

export interface TextTerm {
  /** Word or phrase; a trailing `*` truncates. */
  text: string;
  field: TermField;
}

/** What a block ORs: text terms, MeSH headings and publication types. */
export interface Alternatives {
  terms: TextTerm[];
  /** Controlled vocabulary headings (MeSH); used by sources that index them. */
  mesh: string[];
  /**
   * Those of `mesh` searched without their narrower headings. Only PubMed explodes a heading
   * (the local check and Europe PMC match it alone anyway), so only PubMed reads this.
   */
  noExplode?: string[];
  /**
   * Publication types as PubMed names them (Randomized Controlled Trial, Editorial). PubMed
   * explodes them ([pt]); the local check matches each type alone, in the source's own names
   * where it has them (src/strategy/vocabulary.ts).
   */
  publicationTypes?: string[];
}

export interface ConceptBlock extends Alternatives {
  name: string;
}

/** A not block; with `unless`, a record holding one of those too stays in: NOT (block NOT unless). */
export interface NotBlock extends ConceptBlock {
  unless?: Alternatives;
}

/** Publication years, inclusive; either end may be open. */
export interface YearRange {
  from?: number;
  to?: number;
}

/**
 * The ends PubMed and Europe PMC are sent for an open end of `limits.years`: both take a year
 * range only with two ends, and no record falls outside these.
 */
export const OPEN_YEARS = { from: 1000, to: 3000 } as const;

export interface StrategyLimits {
  /** Language names as PubMed spells them, e.g. "english". */
  languages: string[];
  /** Publication years a record must fall in; absent, any year. */
  years?: YearRange;
}

export interface SearchStrategy {
  /** True when the strategy is a reconstruction rather than the published strings. */
  reconstructed: boolean;
  note?: string;
  blocks: ConceptBlock[];
  /** NOT: a record holding any term or heading of these blocks is left out. */
  not?: NotBlock[];
  limits: StrategyLimits;
}
