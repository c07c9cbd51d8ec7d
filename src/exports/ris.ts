import type { Candidate } from '../db/queries/candidates.js';
import { pageSpan } from './pages.js';

function line(tag: string, value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '' : `${tag}  - ${String(value).replace(/\s+/g, ' ')}\r\n`;
}

// As Zotero's RIS translator writes them; a preprint has no RIS type of its own and goes as JOUR.
const RIS_TYPE: Record<NonNullable<Candidate['kind']>, string> = { article: 'JOUR', preprint: 'JOUR', book: 'BOOK', 'book-chapter': 'CHAP', other: 'GEN' };

/** RIS for reference managers (EndNote, Zotero, Covidence imports). */
export function renderRis(candidates: Candidate[]): string {
  return candidates
    .map((c) => {
      const pages = pageSpan(c.pages);
      return (
        line('TY', RIS_TYPE[c.kind ?? 'article']) +
        line('ID', c.id) +
        line('TI', c.title) +
        // A group author ends with a comma (EndNote's convention), so readers take it as one name.
        c.authors.map((a) => line('AU', a.collective ? `${a.family},` : [a.family, a.given ?? a.initials].filter(Boolean).join(', '))).join('') +
        line('PY', c.year) +
        // T2 is the journal of a JOUR record (the book of a CHAP) in RIS readers (reflib, Zotero);
        // JO is kept for older ones, for journals only.
        line('T2', c.journal) +
        line('JO', c.kind === 'book' || c.kind === 'book-chapter' ? null : c.journal) +
        line('VL', c.volume) +
        line('IS', c.issue) +
        line('SP', pages?.first) +
        line('EP', pages?.last) +
        c.issn.map((n) => line('SN', n)).join('') +
        line('DO', c.doi) +
        line('AN', c.pmid ? `PMID:${c.pmid}` : null) +
        line('C2', c.pmcid) +
        line('AB', c.abstract) +
        line('N1', `living-review status: ${c.status}; sources: ${c.sources.join(';')}${c.exclusionReasons.length ? `; exclusion reasons: ${c.exclusionReasons.join('; ')}` : ''}`) +
        'ER  - \r\n'
      );
    })
    .join('\r\n');
}
