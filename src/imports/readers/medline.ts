import type { RecordRelation, SourceRecord } from '../../records/types.js';
import { toAuthor, yearOf } from './fields.js';
import { all, first, parseMedline } from './tagged.js';

// CommentsCorrections tags (https://www.nlm.nih.gov/bsd/mms/medlineelements.html#cc).
const RELATION_TAGS: Array<[string, RecordRelation['type']]> = [
  ['EIN', 'erratum-in'],
  ['EFR', 'erratum-for'],
  ['RIN', 'retraction-in'],
  ['ROF', 'retraction-of'],
  ['ECI', 'expression-of-concern-in'],
  ['ECF', 'expression-of-concern-for'],
  ['UIN', 'updated-by'],
  ['UOF', 'update-of'],
];

function tagged(values: string[], suffix: string): string | undefined {
  const v = values.find((x) => x.toLowerCase().endsWith(`[${suffix}]`));
  return v?.replace(/\s*\[[a-z]+\]$/i, '');
}

/** MEDLINE/nbib export → records; `sourceId` is the PMID, else the 1-based position after `idPrefix`. */
export function readMedline(text: string, opts: { source: string; idPrefix?: string }): SourceRecord[] {
  return parseMedline(text).map((r, i) => {
    const pmid = first(r, 'PMID');
    const types = all(r, 'PT');
    const lower = types.map((t) => t.toLowerCase());
    const ids = all(r, 'AID', 'LID');
    const full = all(r, 'FAU');
    // A book chapter has TI and the book's title in BTI; a whole book only BTI (as PubMed XML reads them).
    const book = first(r, 'BTI');
    const chapter = book !== undefined && first(r, 'TI') !== undefined;
    const authors = (full.length ? full : all(r, 'AU')).map(toAuthor);
    const relations: RecordRelation[] = RELATION_TAGS.flatMap(([tag, type]) =>
      all(r, tag).map((note) => ({ type, note, ...(/PMID:\s*(\d+)/.exec(note)?.[1] ? { pmid: /PMID:\s*(\d+)/.exec(note)![1] } : {}) })),
    );
    return {
      source: opts.source,
      sourceId: pmid ?? `${opts.idPrefix ?? ''}${i + 1}`,
      pmid,
      pmcid: first(r, 'PMC'),
      doi: tagged(ids, 'doi'),
      title: first(r, 'TI', 'BTI') ?? '',
      abstract: first(r, 'AB'),
      authors: [...authors, ...all(r, 'CN').map((family) => ({ family, collective: true }))],
      journal: first(r, 'JT') ?? (chapter ? book : undefined),
      journalAbbrev: first(r, 'TA'),
      // "1873-4758 (Electronic)": the note says which ISSN it is, and is no part of it.
      issn: [...new Set(all(r, 'IS').map((v) => v.replace(/\s*\([^)]*\)\s*$/, '')))],
      volume: first(r, 'VI'),
      issue: first(r, 'IP'),
      pages: first(r, 'PG'),
      year: yearOf(first(r, 'DP')),
      language: all(r, 'LA'),
      publicationTypes: types,
      meshTerms: all(r, 'MH'),
      keywords: all(r, 'OT'),
      isbn: first(r, 'ISBN'),
      relations,
      ...(chapter ? { kind: 'book-chapter' as const } : book ? { kind: 'book' as const } : lower.includes('preprint') ? { kind: 'preprint' as const } : {}),
      flags: {
        retracted: lower.includes('retracted publication'),
        retractionNotice: lower.includes('retraction of publication'),
        erratum: lower.includes('published erratum'),
        expressionOfConcern: lower.includes('expression of concern') || all(r, 'ECI').length > 0,
      },
    };
  });
}
