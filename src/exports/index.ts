import type { Candidate } from '../db/queries/candidates.js';
import { renderBibtex } from './bibtex.js';
import { CSV_HEADER, renderCsvRows } from './csv.js';
import { renderRis } from './ris.js';

export const EXPORT_FORMATS = ['ris', 'csv', 'bibtex', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** How a format is written a page at a time: head, pages joined by `between`, tail. */
interface Layout {
  head: string;
  render(candidates: Candidate[]): string;
  between: string;
  tail(empty: boolean): string;
}

/** One element of JSON.stringify(array, null, 2), as it sits in the array. */
const jsonElement = (c: Candidate) => `\n  ${JSON.stringify(c, null, 2).replaceAll('\n', '\n  ')}`;

const LAYOUTS: Record<ExportFormat, Layout> = {
  csv: { head: CSV_HEADER, render: renderCsvRows, between: '', tail: () => '' },
  ris: { head: '', render: renderRis, between: '\r\n', tail: () => '' },
  bibtex: { head: '', render: renderBibtex, between: '\n', tail: () => '' },
  json: { head: '[', render: (cs) => cs.map(jsonElement).join(','), between: ',', tail: (empty) => (empty ? ']\n' : '\n]\n') },
};

export function renderExport(format: ExportFormat, candidates: Candidate[]): string {
  const l = LAYOUTS[format];
  return l.head + (candidates.length > 0 ? l.render(candidates) : '') + l.tail(candidates.length === 0);
}

/** The export as text chunks, one per page read: memory stays one page whatever the review's size. */
export async function* exportChunks(format: ExportFormat, pages: AsyncIterable<Candidate[]>): AsyncGenerator<string> {
  const l = LAYOUTS[format];
  yield l.head;
  let empty = true;
  for await (const page of pages) {
    yield (empty ? '' : l.between) + l.render(page);
    empty = false;
  }
  yield l.tail(empty);
}
