import { NO_FLAGS, type SourceRecord } from '../../records/types.js';
import { authorOrGroup, doiMatch, splitIsbnIssn, yearOf } from './fields.js';
import { type TaggedRecord, all, first, parseRis } from './tagged.js';

const KIND: Record<string, SourceRecord['kind']> = { BOOK: 'book', CHAP: 'book-chapter', EBOOK: 'book', ECHAP: 'book-chapter' };

// "doi: 10.x/y" anywhere, or (in M3 only) a bare "10.x/y" that is the whole value.
const SAID_DOI = /\bdoi:?\s*(10\.\d{4,9}\/\S+)/i;
const BARE_DOI = /^(10\.\d{4,9}\/\S+)$/;

/** The DOI when DO lacks one: a doi.org link, or M3, N1 or AN holding one, as some databases write it. */
function doiOf(r: TaggedRecord): string | undefined {
  return (
    first(r, 'DO') ??
    all(r, 'UR', 'L3').find((u) => /doi\.org\/10\./i.test(u)) ??
    all(r, 'M3').map((v) => doiMatch(BARE_DOI, v)).find(Boolean) ??
    all(r, 'M3', 'N1', 'AN').map((v) => doiMatch(SAID_DOI, v)).find(Boolean)
  );
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
      authors: all(r, 'AU', 'A1').map(authorOrGroup),
      journal: first(r, 'T2', 'JF', 'JO', 'JA', 'J2', 'BT'),
      journalAbbrev: first(r, 'J2', 'JA'),
      year: yearOf(first(r, 'PY', 'Y1', 'DA')),
      volume: first(r, 'VL'),
      issue: first(r, 'IS'),
      // C7 is the article number, which e-only journals give instead of pages.
      pages: (sp && ep && ep !== sp ? `${sp}-${ep}` : sp) ?? first(r, 'C7'),
      doi: doiOf(r),
      pmid,
      // C2 holds the PMCID in this project's RIS export.
      ...(/^PMC\d+$/i.test(first(r, 'C2') ?? '') ? { pmcid: first(r, 'C2')!.toUpperCase() } : {}),
      abstract: first(r, 'AB', 'N2'),
      // Every SN: Web of Science and others give the print and the electronic ISSN on two lines.
      ...splitIsbnIssn(all(r, 'SN').join('; ')),
      language: all(r, 'LA'),
      keywords: all(r, 'KW'),
      ...(KIND[first(r, 'TY') ?? ''] ? { kind: KIND[first(r, 'TY')!] } : {}),
      flags: { ...NO_FLAGS },
    };
  });
}
