import { parse } from 'csv-parse/sync';
import { NO_FLAGS, type SourceRecord } from '../../records/types.js';
import { listItems, splitAuthors, splitIsbnIssn, yearOf } from './fields.js';

// Header names recognised per field, compared case-insensitively; first present wins, so the most
// specific name comes first: Scopus's "Source" is the database ("Scopus"), its journal "Source title".
const COLUMNS = {
  id: ['id', 'record_id', 'recordid', 'rec_number'],
  title: ['title', 'article title', 'document title'],
  authors: ['author', 'authors', 'author full names'],
  year: ['year', 'publication year', 'published year', 'py'],
  journal: ['journal', 'source title', 'publication title', 'journal title', 'secondary title', 'secondary_title', 'journal/book', 'booktitle', 'source'],
  journalAbbrev: ['journal abbreviation'],
  doi: ['doi', 'doi_electronic_resource_num'],
  volume: ['volume'],
  issue: ['number', 'issue'],
  pages: ['pages', 'page'],
  pageStart: ['page start', 'start page'],
  pageEnd: ['page end', 'end page'],
  articleNumber: ['art. no.', 'article number'],
  abstract: ['abstract', 'abstract note'],
  pmid: ['pmid', 'pubmed id'],
  pmcid: ['pmcid'],
  // PubMed's CSV gives volume, issue and pages only inside its citation.
  citation: ['citation'],
  // Zotero keeps the PMID and PMCID in "Extra", one "PMID: 123" to a line.
  extra: ['extra'],
  accession: ['accession number'],
  language: ['language of original document', 'language'],
  // Zotero's "Item Type" before its "Type", a free-text subtype.
  type: ['entrytype', 'item type', 'type', 'ref_type'],
} as const;
// Fields read from every such column present, in this order.
const ALL_OF = {
  isbn: ['isbn', 'issn', 'isbn_issn', 'isbn/issn'],
  keywords: ['author keywords', 'index keywords', 'keywords'],
} as const;

// BibTeX entry types, and Zotero's item types (in lower case).
const KIND: Record<string, SourceRecord['kind']> = { book: 'book', incollection: 'book-chapter', inbook: 'book-chapter', booksection: 'book-chapter', preprint: 'preprint' };

export interface CsvReadOptions {
  source: string;
  /** Prepended to row-number ids, e.g. the file name when several files are read. */
  idPrefix?: string;
  /** Header of the id column, if not one of the common names. */
  idColumn?: string;
}

/** The header line's separator: comma, or the semicolon or tab of spreadsheet exports in some locales. */
function delimiterOf(text: string): string {
  const line = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  const count = (d: string) => line.split(d).length - 1;
  return [',', ';', '\t'].reduce((best, d) => (count(d) > count(best) ? d : best));
}

/** The header for an error message: printable characters only, and short, whatever the file held. */
function listed(header: string[]): string {
  const text = header.join(', ').replace(/[^\p{L}\p{N}\p{P}\p{Zs}]+/gu, '?');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text || 'none';
}

/**
 * Reads a CSV export with a header row; `sourceId` is the id column or the 1-based row number.
 * Throws when the header names none of the title, DOI or PMID columns: that is not a list of records.
 */
export function readCsv(text: string, opts: CsvReadOptions): SourceRecord[] {
  const options = { delimiter: delimiterOf(text), skip_empty_lines: true, relax_column_count: true, relax_quotes: true, trim: true };
  const [header = []] = parse(text, { ...options, to_line: 1 }) as string[][];
  const rows = parse(text, { ...options, columns: true }) as Record<string, string>[];
  const lower = new Map(header.map((h) => [h.toLowerCase(), h]));
  const pick = (names: readonly string[]) => names.map((n) => lower.get(n)).find((h) => h !== undefined);
  const col = Object.fromEntries(Object.entries(COLUMNS).map(([k, names]) => [k, pick(names)])) as Record<keyof typeof COLUMNS, string | undefined>;
  const cols = Object.fromEntries(Object.entries(ALL_OF).map(([k, names]) => [k, names.map((n) => lower.get(n)).filter((h) => h !== undefined)])) as Record<keyof typeof ALL_OF, string[]>;
  if (!col.title && !col.doi && !col.pmid) {
    throw new Error(`no title, doi or pmid column in the header (columns: ${listed(header)})`);
  }
  if (opts.idColumn) {
    col.id = header.find((h) => h === opts.idColumn) ?? lower.get(opts.idColumn.toLowerCase());
    if (!col.id) throw new Error(`no column "${opts.idColumn}" (columns: ${listed(header)})`);
  }
  const cell = (row: Record<string, string>, h: string | undefined) => {
    const v = h === undefined ? undefined : row[h]?.trim();
    return v && v.toUpperCase() !== 'NA' ? v : undefined;
  };
  const get = (row: Record<string, string>, k: keyof typeof COLUMNS) => cell(row, col[k]);
  const every = (row: Record<string, string>, k: keyof typeof ALL_OF) => cols[k].map((h) => cell(row, h)).filter((v) => v !== undefined);
  const pages = (row: Record<string, string>) => {
    const [start, end] = [get(row, 'pageStart'), get(row, 'pageEnd')];
    const range = start && end && end !== start ? `${start}-${end}` : start;
    return get(row, 'pages') ?? range ?? get(row, 'articleNumber');
  };
  // Covidence's "Accession Number" is the PMID for PubMed records, another database's number otherwise;
  // PMIDs have at most 8 digits, CINAHL's and Embase's numbers 9 or 10.
  const pmid = (row: Record<string, string>) =>
    get(row, 'pmid') ?? /^\d{1,8}$/.exec(get(row, 'accession') ?? '')?.[0] ?? /^PMID:\s*(\d+)\s*$/im.exec(get(row, 'extra') ?? '')?.[1];
  const pmcid = (row: Record<string, string>) => get(row, 'pmcid') ?? /^PMCID:\s*(PMC\d+)\s*$/im.exec(get(row, 'extra') ?? '')?.[1];
  // "Int J Drug Policy. 2022 Feb;101(3):103551. doi: …": volume, issue and pages after the date's ";".
  const cited = (row: Record<string, string>) => {
    const m = /;\s*([^:;()\s]+)(?:\(([^)]+)\))?:\s*([^.\s;]+)/.exec(get(row, 'citation') ?? '');
    return m ? { volume: m[1], issue: m[2], pages: m[3] } : {};
  };
  // "a; b" cells as a list, left out when empty.
  const list = (key: 'language' | 'keywords', values: Array<string | undefined>) => {
    const items = listItems(values);
    return items.length ? { [key]: items } : {};
  };
  return rows.map((row, i) => {
    const type = get(row, 'type')?.toLowerCase();
    const citation = cited(row);
    return {
      source: opts.source,
      sourceId: get(row, 'id') ?? `${opts.idPrefix ?? ''}${i + 1}`,
      title: get(row, 'title') ?? '',
      authors: splitAuthors(get(row, 'authors')),
      year: yearOf(get(row, 'year')),
      journal: get(row, 'journal'),
      journalAbbrev: get(row, 'journalAbbrev'),
      doi: get(row, 'doi'),
      pmid: pmid(row),
      pmcid: pmcid(row),
      volume: get(row, 'volume') ?? citation.volume,
      issue: get(row, 'issue') ?? citation.issue,
      pages: pages(row) ?? citation.pages,
      abstract: get(row, 'abstract'),
      ...splitIsbnIssn(every(row, 'isbn').join('; ')),
      ...list('language', [get(row, 'language')]),
      ...list('keywords', every(row, 'keywords')),
      ...(KIND[type ?? ''] ? { kind: KIND[type!] } : {}),
      flags: { ...NO_FLAGS },
    };
  });
}
