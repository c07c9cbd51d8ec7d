import type { Candidate } from '../db/queries/candidates.js';
import { renderBibtex } from './bibtex.js';
import { renderCsv } from './csv.js';
import { renderRis } from './ris.js';

export const EXPORT_FORMATS = ['ris', 'csv', 'bibtex', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function renderExport(format: ExportFormat, candidates: Candidate[]): string {
  switch (format) {
    case 'csv':
      return renderCsv(candidates);
    case 'ris':
      return renderRis(candidates);
    case 'bibtex':
      return renderBibtex(candidates);
    case 'json':
      return JSON.stringify(candidates, null, 2) + '\n';
  }
}
