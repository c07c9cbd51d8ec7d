import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { PermanentError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import { parsePubmedXmlString } from '../../sources/pubmed/parse.js';
import { readCsv } from './csv.js';
import { decodeText } from './decode.js';
import { readMedline } from './medline.js';
import { readRis } from './ris.js';

export type ImportFormat = 'ris' | 'medline' | 'csv' | 'pubmed-xml';

/** Format by extension, else by the first lines of content. */
export function detectFormat(path: string, text: string): ImportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.ris') return 'ris';
  if (ext === '.nbib' || ext === '.medline') return 'medline';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  const head = text.slice(0, 4000);
  if (ext === '.xml' || /^\s*<(?:\?xml|!DOCTYPE|PubmedArticleSet)/.test(head)) return 'pubmed-xml';
  if (/^TY {2}-/im.test(head)) return 'ris';
  if (/^PMID- /m.test(head)) return 'medline';
  return 'csv';
}

export interface ReadOptions {
  source: string;
  /** Prepended to position-based ids, e.g. the file name when several files are read. */
  idPrefix?: string;
  idColumn?: string;
}

const FORMAT_NAME: Record<ImportFormat, string> = { ris: 'RIS', medline: 'MEDLINE/nbib', csv: 'CSV', 'pubmed-xml': 'PubMed XML' };
const RECORD_SHAPE: Record<ImportFormat, string> = {
  ris: 'records from "TY  - " to "ER  - "',
  medline: 'records starting "PMID- "',
  csv: 'rows under a header',
  'pubmed-xml': '<PubmedArticle> elements',
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
  let records: SourceRecord[];
  try {
    records = parse(format, text, opts);
  } catch (err) {
    throw new PermanentError(`${path}: not readable as ${FORMAT_NAME[format]}: ${(err as Error).message}`, { cause: err });
  }
  if (records.length === 0 && format !== 'csv') {
    throw new PermanentError(`${path}: no records found in it as ${FORMAT_NAME[format]} (${RECORD_SHAPE[format]})`);
  }
  return records;
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
