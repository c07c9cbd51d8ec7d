import { parse } from 'csv-parse/sync';
import { NO_FLAGS, type SourceRecord } from '../../records/types.js';
import { splitAuthors, splitIsbnIssn, yearOf } from './fields.js';

// Header names recognised per field, compared case-insensitively; first present wins, so the most
// specific name comes first: Scopus's "Source" is the database ("Scopus"), its journal "Source title".
const COLUMNS = {
  id: ['id', 'record_id', 'recordid', 'rec_number'],
  title: ['title', 'article title', 'document title'],
  authors: ['author', 'authors', 'author full names'],
  year: ['year', 'publication year', 'py'],
  journal: ['journal', 'source title', 'publication title', 'journal title', 'secondary title', 'secondary_title', 'journal/book', 'booktitle', 'source'],
  doi: ['doi', 'doi_electronic_resource_num'],
  volume: ['volume'],
  issue: ['number', 'issue'],
  pages: ['pages', 'page'],
  abstract: ['abstract'],
  isbn: ['isbn', 'issn', 'isbn_issn', 'isbn/issn'],
  pmid: ['pmid', 'pubmed id'],
  type: ['entrytype', 'type', 'ref_type'],
} as const;

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
  if (!col.title && !col.doi && !col.pmid) {
    throw new Error(`no title, doi or pmid column in the header (columns: ${listed(header)})`);
  }
  if (opts.idColumn) {
    col.id = header.find((h) => h === opts.idColumn) ?? lower.get(opts.idColumn.toLowerCase());
    if (!col.id) throw new Error(`no column "${opts.idColumn}" (columns: ${listed(header)})`);
  }
  const get = (row: Record<string, string>, k: keyof typeof COLUMNS) => {
    const h = col[k];
    const v = h === undefined ? undefined : row[h]?.trim();
    return v && v.toUpperCase() !== 'NA' ? v : undefined;
  };
  return rows.map((row, i) => {
    const type = get(row, 'type')?.toLowerCase();
    return {
      source: opts.source,
      sourceId: get(row, 'id') ?? `${opts.idPrefix ?? ''}${i + 1}`,
      title: get(row, 'title') ?? '',
      authors: splitAuthors(get(row, 'authors')),
      year: yearOf(get(row, 'year')),
      journal: get(row, 'journal'),
      doi: get(row, 'doi'),
      pmid: get(row, 'pmid'),
      volume: get(row, 'volume'),
      issue: get(row, 'issue'),
      pages: get(row, 'pages'),
      abstract: get(row, 'abstract'),
      ...splitIsbnIssn(get(row, 'isbn')),
      ...(type === 'book' ? { kind: 'book' as const } : type === 'incollection' || type === 'inbook' ? { kind: 'book-chapter' as const } : {}),
      flags: { ...NO_FLAGS },
    };
  });
}
