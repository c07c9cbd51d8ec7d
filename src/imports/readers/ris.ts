import { NO_FLAGS, type SourceRecord } from '../../records/types.js';
import { splitIsbnIssn, toAuthor, yearOf } from './fields.js';
import { all, first, parseRis } from './tagged.js';

const KIND: Record<string, SourceRecord['kind']> = { BOOK: 'book', CHAP: 'book-chapter', EBOOK: 'book', ECHAP: 'book-chapter' };

/** "Name," with nothing after the comma is how RIS writers (this project's too) keep a group author whole. */
function risAuthor(raw: string) {
  return /^[^,]+,\s*$/.test(raw) ? { family: raw.replace(/,\s*$/, '').trim(), collective: true } : toAuthor(raw);
}

/** RIS export → records; `sourceId` is the ID tag or the 1-based position, after `idPrefix`. */
export function readRis(text: string, opts: { source: string; idPrefix?: string }): SourceRecord[] {
  return parseRis(text).map((r, i) => {
    const sp = first(r, 'SP');
    const ep = first(r, 'EP');
    // An accession number is a PMID when the database is PubMed/MEDLINE or it says so ("PMID:123",
    // as this project's own export writes it).
    const an = first(r, 'AN');
    const pmid = /^PMID:\s*(\d+)$/i.exec(an ?? '')?.[1] ?? (/medline|pubmed/i.test(first(r, 'DB', 'DP') ?? '') ? an : undefined);
    return {
      source: opts.source,
      sourceId: first(r, 'ID') ?? `${opts.idPrefix ?? ''}${i + 1}`,
      title: first(r, 'TI', 'T1', 'CT') ?? '',
      authors: all(r, 'AU', 'A1').map(risAuthor),
      journal: first(r, 'T2', 'JF', 'JO', 'JA', 'J2', 'BT'),
      journalAbbrev: first(r, 'J2', 'JA'),
      year: yearOf(first(r, 'PY', 'Y1', 'DA')),
      volume: first(r, 'VL'),
      issue: first(r, 'IS'),
      pages: sp && ep && ep !== sp ? `${sp}-${ep}` : sp,
      doi: first(r, 'DO') ?? all(r, 'UR', 'L3').find((u) => /doi\.org\/10\./i.test(u)),
      pmid,
      // C2 holds the PMCID in this project's RIS export.
      ...(/^PMC\d+$/i.test(first(r, 'C2') ?? '') ? { pmcid: first(r, 'C2')!.toUpperCase() } : {}),
      abstract: first(r, 'AB', 'N2'),
      ...splitIsbnIssn(first(r, 'SN')),
      language: all(r, 'LA'),
      keywords: all(r, 'KW'),
      ...(KIND[first(r, 'TY') ?? ''] ? { kind: KIND[first(r, 'TY')!] } : {}),
      flags: { ...NO_FLAGS },
    };
  });
}
