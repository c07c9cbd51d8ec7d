import type { SourceRecord } from '../records/types.js';
import type { SearchStrategy } from '../strategy/types.js';

/** Sources living-review can search. Imports use free-form source names (e.g. "cinahl"). */
export const API_SOURCES = ['pubmed', 'europepmc', 'openalex', 'crossref'] as const;
export type ApiSourceName = (typeof API_SOURCES)[number];

const LABELS: Record<ApiSourceName, string> = { pubmed: 'PubMed', europepmc: 'Europe PMC', openalex: 'OpenAlex', crossref: 'Crossref' };

/** How reports name a source: the API's own name, or an import's name as given ("cinahl"). */
export function sourceLabel(source: string): string {
  return (LABELS as Record<string, string>)[source] ?? source;
}

/** Inclusive calendar-day window, ISO yyyy-mm-dd. */
export interface DateWindow {
  from: string;
  to: string;
}

export interface SearchProgress {
  identified: number;
  fetched: number;
  requests: number;
  retries: number;
}

export interface SearchRequest {
  /** The exact query string sent to the API (from `compileQuery` or a protocol override). */
  query: string;
  window: DateWindow;
  /**
   * The protocol's strategy, for sources that check what the API returned against it (OpenAlex
   * stems and cannot search MeSH: it checks unless `query` is a protocol override). Crossref has
   * no Boolean search and always evaluates it, whatever `query` was sent.
   */
  strategy?: SearchStrategy;
  /** True when `query` is the protocol's own query for this source, not the strategy compiled. */
  override?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
}

export interface SourceSearch {
  /**
   * Records the search identified for the query and window (summed over any window splits). A
   * source that applies the strategy locally (no Boolean search upstream) counts while its batches
   * are read: the caller reads it again once they are done.
   */
  readonly identified: number;
  /** Parsed records in batches; each batch is staged in one transaction. */
  batches: AsyncIterable<SourceRecord[]>;
  /** Things a maintainer should know about the search as a whole, filled as it runs. */
  warnings?: string[];
}

/** The identifiers of a work already stored, to look its record up by. */
export interface KnownIds {
  pmid: string | null;
  doi: string | null;
}

/** One bibliographic API behind one small interface. */
export interface Source {
  readonly name: ApiSourceName;
  /** Compiles the protocol's strategy to this API's own query syntax. */
  compileQuery(strategy: SearchStrategy): string;
  search(request: SearchRequest): Promise<SourceSearch>;
  /**
   * The query string the API receives for a window, for a source that puts the window inside it
   * (Europe PMC's FIRST_IDATE clause): what runs record and report, so it can be pasted as it is.
   * Without it, the query is sent as compiled and the window goes apart (PubMed's mindate/maxdate).
   */
  sentQuery?(query: string, window: DateWindow): string;
  /**
   * Whether the source checks what the API returns against the protocol's strategy itself, given
   * whether its query is the protocol's override: then the strategy decides its results beyond the
   * query (Crossref always; OpenAlex unless overridden). Left out: never.
   */
  checksStrategy?(override: boolean): boolean;
  /**
   * The current records of works already known, by identifier: how the review learns that an
   * included study was retracted or corrected when no search brings the notice. A source that
   * cannot look records up by id leaves it out; works it cannot look up are skipped.
   */
  lookup?(known: readonly KnownIds[], signal?: AbortSignal): Promise<SourceRecord[]>;
}
