// Cuts a PubMed efetch stream into complete record strings and checks the envelope around them.
//
// Why not one SAX pass over everything: most bytes of a modern record are its ReferenceList and
// affiliations, which we never map. Finding record boundaries with indexOf, dropping those blocks,
// and running saxes only on what is left is several times faster, and memory stays bounded by the
// largest record (capped by maxRecordBytes) plus one input chunk.
//
// The envelope (prolog, DOCTYPE, <PubmedArticleSet>, <DeleteCitation>, in-band <ERROR>) goes
// through its own saxes parser, with each record replaced by an empty placeholder element, so the
// document as a whole is still checked for well-formedness and for truncation at the end.
import { SaxesParser } from 'saxes';
import { PermanentError, RetryableError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import { RecordBuilder } from './record-builder.js';
import { stripUnmappedBlocks } from './strip.js';

export const DEFAULT_MAX_RECORD_BYTES = 8 * 1024 * 1024;

const RECORD_START = /<(PubmedArticle|PubmedBookArticle)(?=[\s>/])/g;
/** Longest prefix of a record start tag that could be cut by a chunk boundary. */
const START_OVERLAP = '<PubmedBookArticle'.length;

/**
 * Push parser: `write()` text chunks, get back the records completed so far; `end()` at the end.
 * Throws RetryableError for malformed or truncated XML, PermanentError for DTD entity
 * declarations, an over-size record, or an in-band NCBI <ERROR>.
 */
export class PubmedRecordSplitter {
  private readonly builder = new RecordBuilder();
  private readonly envelope = new SaxesParser({ xmlns: false, position: true });
  private envDepth = 0;
  private rootSeen = false;
  private errorText: string | undefined;
  private pending = '';
  /** Set while inside a record: its end tag, the pieces so far and their length. */
  private endTag: string | undefined;
  private pieces: string[] = [];
  private tail = '';
  private recordChars = 0;
  private recordNumber = 0;

  constructor(private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {
    const env = this.envelope;
    env.on('doctype', (doctype) => {
      if (/<!ENTITY/i.test(doctype)) throw entityError();
    });
    env.on('opentag', (tag) => {
      this.envDepth++;
      // NCBI sometimes answers 200 with an HTML page: that is no batch of zero records.
      if (!this.rootSeen && tag.name !== 'PubmedArticleSet' && tag.name !== 'eFetchResult') {
        throw new RetryableError(`the document is <${tag.name}>, not a <PubmedArticleSet> (an error page?)`);
      }
      this.rootSeen = true;
      if (tag.name === 'ERROR') this.errorText = '';
    });
    env.on('text', (t) => {
      if (this.errorText !== undefined) this.errorText += t;
    });
    env.on('closetag', (tag) => {
      this.envDepth--;
      if (tag.name === 'ERROR') {
        throw new PermanentError(`NCBI efetch error: ${(this.errorText ?? '').trim() || '(empty)'}`);
      }
    });
  }

  write(chunk: string): SourceRecord[] {
    const out: SourceRecord[] = [];
    let text = chunk;
    while (text.length > 0) {
      text = this.endTag === undefined ? this.scanEnvelope(text) : this.scanRecord(text, out);
    }
    return out;
  }

  end(): SourceRecord[] {
    if (this.endTag !== undefined) {
      throw new RetryableError(
        `truncated PubMed XML: input ended inside record #${this.recordNumber + 1} (no ${this.endTag})`,
      );
    }
    this.feedEnvelope(this.pending);
    this.pending = '';
    try {
      this.envelope.close();
    } catch (err) {
      throw classify(err, 'PubMed XML ended early or is malformed');
    }
    return [];
  }

  /** Outside records: feed text to the envelope parser up to the next record start. */
  private scanEnvelope(chunk: string): string {
    const text = this.pending + chunk;
    this.pending = '';
    RECORD_START.lastIndex = 0;
    const m = RECORD_START.exec(text);
    if (!m) {
      // keep a tail that might be the start of a record tag cut by the chunk boundary
      const keep = Math.max(0, text.length - START_OVERLAP);
      this.feedEnvelope(text.slice(0, keep));
      this.pending = text.slice(keep);
      return '';
    }
    this.feedEnvelope(text.slice(0, m.index));
    if (this.envDepth !== 1) {
      throw new RetryableError(`malformed PubMed XML: <${m[1]}> outside <PubmedArticleSet>`);
    }
    this.feedEnvelope(`<${m[1]}/>`); // placeholder keeps the envelope's structure checkable
    this.endTag = `</${m[1]}>`;
    this.pieces = [];
    this.tail = '';
    this.recordChars = 0;
    return text.slice(m.index);
  }

  /** Inside a record: collect until its end tag, then build it. Returns the unconsumed rest. */
  private scanRecord(chunk: string, out: SourceRecord[]): string {
    const endTag = this.endTag!;
    // an end tag cut by chunk boundaries is found in (tail of what came before + start of chunk);
    // the chunk itself is searched as is, so long chunks are never copied
    const overlap = this.tail.length;
    const seam = overlap > 0 ? (this.tail + chunk.slice(0, endTag.length - 1)).indexOf(endTag) : -1;
    const found = chunk.indexOf(endTag);
    const at = seam >= 0 ? seam : found < 0 ? -1 : found + overlap;
    if (at < 0) {
      this.tail = (this.tail + chunk.slice(-(endTag.length - 1))).slice(-(endTag.length - 1));
      this.pieces.push(chunk);
      this.recordChars += chunk.length;
      if (this.recordChars > this.maxRecordBytes) throw this.tooBig(this.recordChars);
      return '';
    }
    const cut = at + endTag.length - overlap; // end of the record within `chunk`
    this.pieces.push(chunk.slice(0, cut));
    const xml = this.pieces.join('');
    this.pieces = [];
    this.endTag = undefined;
    const bytes = Buffer.byteLength(xml);
    if (bytes > this.maxRecordBytes) throw this.tooBig(bytes);
    this.recordNumber++;
    try {
      out.push(this.builder.build(stripUnmappedBlocks(xml)));
    } catch (err) {
      throw classify(err, `malformed PubMed XML in record #${this.recordNumber}`);
    }
    return chunk.slice(cut);
  }

  private feedEnvelope(text: string): void {
    if (text.length === 0) return;
    // entity declarations are refused before saxes sees them (no expansion, no external fetch)
    if (!this.rootSeen && /<!ENTITY/i.test(text)) throw entityError();
    try {
      this.envelope.write(text);
    } catch (err) {
      throw classify(err, 'malformed PubMed XML');
    }
  }

  private tooBig(size: number): PermanentError {
    return new PermanentError(
      `PubMed record #${this.recordNumber + 1} exceeds maxRecordBytes (${size} > ${this.maxRecordBytes})`,
    );
  }
}

function entityError(): PermanentError {
  return new PermanentError(
    'PubMed XML declares entities in its DOCTYPE; refused (entity-expansion / external-entity risk)',
  );
}

/** Our own typed errors pass through; anything saxes throws is a malformed (retryable) body. */
function classify(err: unknown, context: string): Error {
  if (err instanceof PermanentError || err instanceof RetryableError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return new RetryableError(`${context}: ${msg}`, { cause: err });
}
