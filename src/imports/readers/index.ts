import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { PermanentError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import { parsePubmedXmlString } from '../../sources/pubmed/parse.js';
import { readCsv } from './csv.js';
import { decodeText } from './decode.js';
import { isEndnoteXml, readEndnoteXml } from './endnote.js';
import { readMedline } from './medline.js';
import { readRis } from './ris.js';
import { isWosPlain, isWosTable, readWos, readWosTable } from './wos.js';

export type ImportFormat = 'ris' | 'medline' | 'csv' | 'pubmed-xml' | 'endnote-xml' | 'wos' | 'wos-table';

// Control characters other than tab, newline and return, and the C1 range windows-1252 leaves undefined.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u0081\u008D\u008F\u0090\u009D]/g;

/**
 * A PDF or zip (xlsx, docx) signature, or control characters in more than 0.5% of the first 4 KB: a
 * text export holds at most a stray one (UTF-16 is decoded before this).
 */
export function looksBinary(text: string): boolean {
  if (/^(?:%PDF-|PK\u0003\u0004)/.test(text)) return true;
  const head = text.slice(0, 4096);
  const controls = head.match(CONTROL)?.length ?? 0;
  return controls >= 4 && controls > head.length / 200;
}

/**
 * Format by extension, else by the first lines of content. Web of Science's exports and EndNote XML
 * are known by their content first: both WoS formats are saved as savedrecs.txt, a tab-delimited one
 * renamed .csv or .tsv names its columns by field tags no CSV reader knows, and an EndNote library
 * is as much .xml as a PubMed export.
 */
export function detectFormat(path: string, text: string): ImportFormat {
  if (isWosTable(text)) return 'wos-table';
  if (isWosPlain(text)) return 'wos';
  if (isEndnoteXml(text)) return 'endnote-xml';
  const ext = extname(path).toLowerCase();
  if (ext === '.ris') return 'ris';
  if (ext === '.nbib' || ext === '.medline') return 'medline';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  const head = text.slice(0, 4000);
  if (ext === '.xml' || /^\s*<(?:\?xml|!DOCTYPE|PubmedArticleSet)/.test(head)) return 'pubmed-xml';
  if (/^TY {1,2}-/im.test(head)) return 'ris';
  if (/^PMID- /m.test(head)) return 'medline';
  return 'csv';
}

export interface ReadOptions {
  source: string;
  /** Prepended to position-based ids, e.g. the file name when several files are read. */
  idPrefix?: string;
  idColumn?: string;
}

const FORMAT_NAME: Record<ImportFormat, string> = {
  ris: 'RIS',
  medline: 'MEDLINE/nbib',
  csv: 'CSV',
  'pubmed-xml': 'PubMed XML',
  'endnote-xml': 'EndNote XML',
  wos: 'Web of Science plain text',
  'wos-table': 'Web of Science tab-delimited',
};
const RECORD_SHAPE: Record<ImportFormat, string> = {
  // Named, not quoted: oneLine collapses the two spaces of a quoted "TY  - ".
  ris: 'records from a TY tag to an ER tag',
  medline: 'records starting "PMID- "',
  csv: 'rows under a header',
  'pubmed-xml': '<PubmedArticle> elements',
  'endnote-xml': '<record> elements',
  wos: 'records from a PT line to an ER line',
  'wos-table': 'rows under a header of field tags',
};

function parse(format: ImportFormat, text: string, opts: ReadOptions): SourceRecord[] {
  switch (format) {
    case 'ris':
      return readRis(text, opts);
    case 'medline':
      return readMedline(text, opts);
    case 'csv':
      return readCsv(text, opts);
    case 'pubmed-xml':
      return parsePubmedXmlString(text).map((r) => ({ ...r, source: opts.source }));
    case 'endnote-xml':
      return readEndnoteXml(text, opts);
    case 'wos':
      return readWos(text, opts);
    case 'wos-table':
      return readWosTable(text, opts);
  }
}

/**
 * Records of one file's text: none for a blank file. A file that is not blank but holds no record of
 * its format, or a CSV without the columns of one, is refused with the file named: it is the wrong
 * file or format.
 */
export function readRecords(path: string, text: string, opts: ReadOptions): SourceRecord[] {
  const format = detectFormat(path, text);
  // An empty export is no error, whatever its format: a search may find nothing.
  if (text.trim() === '') return [];
  if (looksBinary(text)) {
    throw new PermanentError(`${path}: a binary file (a PDF, a zip, a database?), not a text export in RIS, MEDLINE/nbib, PubMed XML, EndNote XML, Web of Science or CSV`);
  }
  let records: SourceRecord[];
  try {
    records = parse(format, text, opts);
  } catch (err) {
    throw new PermanentError(`${path}: not readable as ${FORMAT_NAME[format]}: ${(err as Error).message}`, { cause: err });
  }
  if (records.length === 0 && format !== 'csv' && format !== 'wos-table') {
    throw new PermanentError(`${path}: no records found in it as ${FORMAT_NAME[format]} (${RECORD_SHAPE[format]})`);
  }
  return records;
}

/**
 * Refuses at once when any path is missing, unreadable or a directory, before any file is read: a typo
 * in the second name should not wait for the first 200 MB to be parsed. (A pipe such as <(zcat f) is
 * fine.)
 */
export async function checkReadable(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    try {
      if ((await stat(path)).isDirectory()) throw new Error('it is a directory');
      await access(path, constants.R_OK);
    } catch (err) {
      throw new PermanentError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Reads one file of any supported format (I/O edge). */
export async function readRecordFile(path: string, opts: ReadOptions): Promise<SourceRecord[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new PermanentError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return readRecords(path, decodeText(bytes), opts);
}
