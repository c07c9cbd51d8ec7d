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
  if (/^TY {2}- /m.test(head)) return 'ris';
  if (/^PMID- /m.test(head)) return 'medline';
  return 'csv';
}

export interface ReadOptions {
  source: string;
  /** Prepended to position-based ids, e.g. the file name when several files are read. */
  idPrefix?: string;
  idColumn?: string;
}

/** PubMed XML (efetch or PubMed's "XML" export) through the same parser as API records. */
function readPubmedXml(path: string, text: string, opts: ReadOptions): SourceRecord[] {
  try {
    return parsePubmedXmlString(text).map((r) => ({ ...r, source: opts.source }));
  } catch (err) {
    throw new PermanentError(`${path}: not readable as PubMed XML: ${(err as Error).message}`, { cause: err });
  }
}

export function readRecords(path: string, text: string, opts: ReadOptions): SourceRecord[] {
  switch (detectFormat(path, text)) {
    case 'ris':
      return readRis(text, opts);
    case 'medline':
      return readMedline(text, opts);
    case 'csv':
      return readCsv(text, opts);
    case 'pubmed-xml':
      return readPubmedXml(path, text, opts);
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
