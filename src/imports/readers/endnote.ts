import { SaxesParser } from 'saxes';
import { NO_FLAGS, type SourceRecord } from '../../records/types.js';
import { authorOrGroup, doiMatch, splitIsbnIssn, yearOf } from './fields.js';

/** An EndNote XML library (File > Export > XML): `<xml><records><record>…`, whatever it is called. */
export function isEndnoteXml(text: string): boolean {
  return /^\uFEFF?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^[>]*(?:\[[^\]]*\])?\s*>\s*)?<xml>\s*<records>/.test(text.slice(0, 2000));
}

/** A record's fields by element path below `<record>`, e.g. "titles/title", each value in order. */
type Fields = Map<string, string[]>;

const KIND: Record<string, SourceRecord['kind']> = {
  Book: 'book',
  'Edited Book': 'book',
  'Electronic Book': 'book',
  'Book Section': 'book-chapter',
  'Electronic Book Section': 'book-chapter',
};

/**
 * The records of an EndNote XML library. A field's text may be split over several `<style>` runs
 * (italics in a title) and is joined; EndNote's own line breaks (`\r`) become spaces. DOCTYPE
 * entity declarations are refused, never expanded.
 */
function parseLibrary(text: string): Array<{ fields: Fields; refType?: string }> {
  if (/<!ENTITY/i.test(text)) throw new Error('the file declares entities in a DOCTYPE; refused (entity-expansion risk)');
  const out: Array<{ fields: Fields; refType?: string }> = [];
  const parser = new SaxesParser({ xmlns: false, position: true });
  // Open elements below <record>, <style> runs left out, each with the text it holds so far.
  let open: Array<{ name: string; text: string }> = [];
  let record: { fields: Fields; refType?: string } | undefined;
  parser.on('opentag', (tag) => {
    if (tag.name === 'record') {
      record = { fields: new Map() };
      open = [];
    } else if (record && tag.name !== 'style') {
      open.push({ name: tag.name, text: '' });
      if (tag.name === 'ref-type' && open.length === 1) record.refType = String(tag.attributes.name ?? '');
    }
  });
  const addText = (t: string) => {
    const top = open.at(-1);
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', (tag) => {
    if (!record) return;
    if (tag.name === 'record') {
      out.push(record);
      record = undefined;
    } else if (tag.name !== 'style') {
      const path = open.map((e) => e.name).join('/');
      const value = open.pop()!.text.replace(/\s+/g, ' ').trim();
      if (value !== '') record.fields.set(path, [...(record.fields.get(path) ?? []), value]);
    }
  });
  const where = (err: unknown) => (err as Error).message.replace(/^(\d+):(\d+): /, 'line $1, column $2: ');
  try {
    parser.write(text);
  } catch (err) {
    throw new Error(`${where(err)}${record ? ` (in record ${out.length + 1})` : ''}`, { cause: err });
  }
  try {
    parser.close();
  } catch (err) {
    throw new Error(`${where(err)}${record ? ` (record ${out.length + 1} is not closed: was the file cut short?)` : ''}`, { cause: err });
  }
  return out;
}

const SAID_DOI = /\b(10\.\d{4,9}\/\S+)/;

/** EndNote XML library → records; `sourceId` is EndNote's record number, else the 1-based position. */
export function readEndnoteXml(text: string, opts: { source: string; idPrefix?: string }): SourceRecord[] {
  return parseLibrary(text).map(({ fields, refType }, i) => {
    const first = (...paths: string[]) => paths.map((p) => fields.get(p)?.[0]).find((v) => v !== undefined);
    const all = (path: string) => fields.get(path) ?? [];
    const types = (first('work-type') ?? '').split(';').map((t) => t.trim()).filter(Boolean);
    const lower = types.map((t) => t.toLowerCase());
    const database = `${first('remote-database-name') ?? ''} ${first('remote-database-provider') ?? ''}`;
    const accession = first('accession-num');
    // An accession number is a PMID when it has a PMID's length (Embase's and CINAHL's have 9 or 10
    // digits, even in an Ovid "Embase Medline" record) and no other database claims it.
    const named = database.trim() !== '';
    const pmid = /^\d{1,8}$/.test(accession ?? '') && (!named || /medline|pubmed|nlm/i.test(database)) ? accession : undefined;
    const keywords = all('keywords/keyword');
    const language = (first('language') ?? '').split(/[;,]/).map((l) => l.trim()).filter(Boolean);
    const kind = KIND[refType ?? ''] ?? (lower.includes('preprint') ? 'preprint' : undefined);
    return {
      source: opts.source,
      sourceId: first('rec-number') ?? `${opts.idPrefix ?? ''}${i + 1}`,
      title: first('titles/title') ?? '',
      authors: all('contributors/authors/author').map(authorOrGroup),
      journal: first('periodical/full-title', 'titles/secondary-title', 'alt-periodical/full-title'),
      journalAbbrev: first('periodical/abbr-1', 'titles/alt-title', 'alt-periodical/abbr-1'),
      year: yearOf(first('dates/year', 'dates/pub-dates/date')),
      volume: first('volume'),
      issue: first('number'),
      pages: first('pages'),
      // EndNote keeps the DOI among other things here ("10.x/y [doi]", a PII, a URL).
      doi: doiMatch(SAID_DOI, first('electronic-resource-num') ?? ''),
      pmid,
      abstract: first('abstract'),
      ...splitIsbnIssn(first('isbn')),
      ...(language.length ? { language } : {}),
      ...(keywords.length ? { keywords } : {}),
      ...(types.length ? { publicationTypes: types } : {}),
      ...(kind ? { kind } : {}),
      flags: {
        ...NO_FLAGS,
        retracted: lower.includes('retracted publication'),
        retractionNotice: lower.includes('retraction of publication'),
        erratum: lower.includes('published erratum'),
      },
    };
  });
}
