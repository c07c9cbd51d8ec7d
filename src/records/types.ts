/**
 * Terminology
 *
 * - review: one systematic review kept alive; configured by one protocol file.
 * - source: a bibliographic API or an imported file (pubmed, europepmc, openalex, crossref, or an
 *   import name such as "cinahl").
 * - search run: one execution of a review's strategy against one source for one date window.
 * - source record: one record as one source returned it, keyed by (source, sourceId).
 * - work: the deduplicated unit a reviewer screens; many source records may link to one work.
 * - seed: a work known before the living update started (the original review's included studies,
 *   the review itself); never proposed as a new candidate.
 * - staging: upserting source records and linking each to an existing or a new `pending` work.
 */

/** Flags a record may carry about its publication status. */
export interface NoticeFlags {
  /** The record is a retracted publication. */
  retracted: boolean;
  /** The record is itself a retraction notice. */
  retractionNotice: boolean;
  /** The record is itself an erratum (published correction notice). */
  erratum: boolean;
  /** The record is an expression of concern, or has one attached. */
  expressionOfConcern: boolean;
}

export interface Author {
  /** Family name; for a collective (group) author, the group name. */
  family: string;
  /** Initials without spaces or dots, e.g. "JA". */
  initials?: string;
  given?: string;
  orcid?: string;
  /** True for a group/consortium author (PubMed CollectiveName). */
  collective?: boolean;
}

export interface AbstractSection {
  label?: string;
  text: string;
}

/** A link a record declares to another record (PubMed CommentsCorrections and similar). */
export interface RecordRelation {
  type:
    | 'erratum-for'
    | 'erratum-in'
    | 'retraction-of'
    | 'retraction-in'
    | 'expression-of-concern-for'
    | 'expression-of-concern-in'
    | 'preprint-of'
    | 'has-preprint'
    | 'update-of'
    | 'updated-by';
  pmid?: string;
  doi?: string;
  note?: string;
}

/**
 * The normalised record every source parser and import reader produces. Fields are plain
 * display strings; match keys (normalised DOI, title keys) are derived by `src/dedup`.
 */
export interface SourceRecord {
  source: string;
  /** Identifier within the source (PMID for PubMed, DOI or row id for imports). */
  sourceId: string;
  pmid?: string;
  doi?: string;
  pmcid?: string;
  title: string;
  abstract?: string;
  abstractSections?: AbstractSection[];
  authors: Author[];
  journal?: string;
  journalAbbrev?: string;
  issn?: string[];
  volume?: string;
  issue?: string;
  pages?: string;
  year?: number;
  language?: string[];
  publicationTypes?: string[];
  meshTerms?: string[];
  keywords?: string[];
  /** Date the source added the record (PubMed entrez date), ISO yyyy-mm-dd. */
  entryDate?: string;
  flags: NoticeFlags;
  relations?: RecordRelation[];
  /** Book records (PubmedBookArticle) and other non-journal items. */
  kind?: 'article' | 'book' | 'book-chapter' | 'preprint' | 'other';
  isbn?: string;
  /** Things the parser could not map; shown in the run log, never fatal. */
  warnings?: string[];
}

export const NO_FLAGS: NoticeFlags = Object.freeze({
  retracted: false,
  retractionNotice: false,
  erratum: false,
  expressionOfConcern: false,
});
