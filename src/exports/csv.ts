import type { Candidate } from '../db/queries/candidates.js';
import { formatAuthor } from './authors.js';

/** RFC 4180: quote when needed, double inner quotes. */
export function csvField(value: string | number | null | undefined): string {
  const s = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * A text a spreadsheet would run as a formula (=, +, -, @, tab or CR first) with a leading
 * apostrophe, as OWASP advises: titles and names in an export come from third parties. Numbers
 * such as -3 are left alone.
 */
function defused(value: string | number | null | undefined): string | number | null | undefined {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
}

/** One CRLF-ended row. */
export function csvRow(values: (string | number | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

const spreadsheetRow = (values: (string | number | null | undefined)[]) => csvRow(values.map(defused));

const COLUMNS = ['id', 'title', 'authors', 'year', 'journal', 'doi', 'pmid', 'sources', 'status', 'first_seen', 'volume', 'issue', 'pages', 'pmcid', 'abstract', 'exclusion_reasons'];

export const CSV_HEADER = csvRow(COLUMNS);

export function renderCsv(candidates: Candidate[]): string {
  return CSV_HEADER + renderCsvRows(candidates);
}

/** The rows without the header: an export writes them a page at a time. */
export function renderCsvRows(candidates: Candidate[]): string {
  return (
    candidates
      .map((c) =>
        spreadsheetRow([
          c.id,
          c.title,
          c.authors.map(formatAuthor).join('; '),
          c.year,
          c.journal,
          c.doi,
          c.pmid,
          c.sources.join(';'),
          c.status,
          c.firstSeen.toISOString(),
          c.volume,
          c.issue,
          c.pages,
          c.pmcid,
          c.abstract,
          c.exclusionReasons.join('; '),
        ]),
      )
      .join('')
  );
}
