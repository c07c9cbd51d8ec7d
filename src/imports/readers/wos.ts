import { parse } from 'csv-parse/sync';
import type { SourceRecord } from '../../records/types.js';
import { listItems, splitIsbnIssn, toAuthor, yearOf } from './fields.js';
import { type TaggedRecord, all, first, parseWos } from './tagged.js';

// Web of Science field tags: https://webofscience.help.clarivate.com/en-us/Content/export-records.htm

/** A tab-delimited export's header: the plain-text format's tags as column names, PT first. */
export function isWosTable(text: string): boolean {
  const header = text.slice(0, text.search(/\r?\n|$/)).replace(/^\uFEFF/, '').split('\t');
  return header[0] === 'PT' && header.includes('TI') && (header.includes('UT') || header.includes('AU'));
}

/** A plain-text export: its "FN" header line, or a file that starts with a record's PT line. */
export function isWosPlain(text: string): boolean {
  return /^\uFEFF?\s*(?:FN \S|PT [A-Z]\s*(?:\r?\n|$))/.test(text);
}

/** Cells a tab-delimited export joins with "; " that the plain text gives one to a line. */
const LIST_CELLS = new Set(['AU', 'AF', 'BA', 'BF', 'BE', 'CA', 'GP']);

/** The rows of a tab-delimited export as the plain-text format's tagged records. */
function parseWosTable(text: string): TaggedRecord[] {
  // No quoting: the format has none, and an abstract may start with a quotation mark.
  const rows = parse(text, { delimiter: '\t', quote: false, columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  return rows.map((row) => {
    const r: TaggedRecord = new Map();
    for (const [tag, cell] of Object.entries(row)) {
      const v = cell?.trim();
      if (!v || !/^[A-Z][A-Z0-9]$/.test(tag)) continue;
      // Split, not deduplicated: two authors may share a name.
      r.set(tag, LIST_CELLS.has(tag) ? v.split(';').map((x) => x.trim()).filter(Boolean) : [v]);
    }
    return r;
  });
}

/** "Article; Early Access" and "DE"/"ID" keyword cells: "; "-separated lists, whichever line they sit on. */
const items = (r: TaggedRecord, ...tags: string[]) => listItems(all(r, ...tags));

function wosRecord(r: TaggedRecord, i: number, opts: { source: string; idPrefix?: string }): SourceRecord {
  const types = items(r, 'DT');
  const lower = types.map((t) => t.toLowerCase());
  const bp = first(r, 'BP');
  const ep = first(r, 'EP');
  const full = all(r, 'AF');
  const people = full.length ? full : all(r, 'AU', 'BF', 'BA');
  const language = items(r, 'LA');
  const keywords = items(r, 'DE', 'ID');
  return {
    source: opts.source,
    // The accession number (UT, "WOS:000…") is the database's own and stable.
    sourceId: first(r, 'UT') ?? `${opts.idPrefix ?? ''}${i + 1}`,
    title: first(r, 'TI') ?? '',
    authors: [...people.map(toAuthor), ...items(r, 'CA').map((family) => ({ family, collective: true }))],
    journal: first(r, 'SO'),
    journalAbbrev: first(r, 'JI', 'J9'),
    // Early-access records carry EA ("JAN 2021") until the issue, and its PY, come out.
    year: yearOf(first(r, 'PY', 'EA', 'PD')),
    volume: first(r, 'VL'),
    issue: first(r, 'IS'),
    // AR is the article number, which e-only journals give instead of pages.
    pages: (bp && ep && ep !== bp ? `${bp}-${ep}` : bp) ?? first(r, 'AR'),
    doi: first(r, 'DI'),
    pmid: first(r, 'PM'),
    abstract: first(r, 'AB'),
    ...splitIsbnIssn(all(r, 'SN', 'EI', 'BN').join('; ')),
    ...(language.length ? { language } : {}),
    ...(keywords.length ? { keywords } : {}),
    ...(types.length ? { publicationTypes: types } : {}),
    ...(lower.includes('book chapter') ? { kind: 'book-chapter' as const } : lower.includes('book') ? { kind: 'book' as const } : lower.includes('preprint') ? { kind: 'preprint' as const } : {}),
    flags: {
      retracted: lower.includes('retracted publication'),
      retractionNotice: lower.includes('retraction'),
      erratum: lower.some((t) => t === 'correction' || t.startsWith('correction,')),
      expressionOfConcern: lower.includes('expression of concern'),
    },
  };
}

/** A Web of Science plain-text export ("Plain text file", also saved as .ciw) → records. */
export function readWos(text: string, opts: { source: string; idPrefix?: string }): SourceRecord[] {
  return parseWos(text).map((r, i) => wosRecord(r, i, opts));
}

/** A Web of Science tab-delimited export → records, read as the plain text is. */
export function readWosTable(text: string, opts: { source: string; idPrefix?: string }): SourceRecord[] {
  return parseWosTable(text).map((r, i) => wosRecord(r, i, opts));
}
