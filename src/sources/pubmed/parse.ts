// Streaming PubMed efetch XML parser (PubmedArticleSet with PubmedArticle / PubmedBookArticle).
import { StringDecoder } from 'node:string_decoder';
import type { SourceRecord } from '../../records/types.js';
import { PubmedRecordSplitter } from './record-splitter.js';

export interface ParseOptions {
  /** A single record larger than this is refused with PermanentError. Default 8 MiB. */
  maxRecordBytes?: number;
}

/**
 * Parses an efetch body as it arrives and yields each record as soon as it is complete. Memory is
 * bounded by the largest record plus one chunk, whatever the input size.
 *
 * Throws RetryableError for malformed or truncated XML (a cut body is a transient fault), and
 * PermanentError for entity declarations (no DTD is ever read or fetched), a record over
 * maxRecordBytes, or an in-band NCBI <ERROR>.
 */
export async function* parsePubmedXml(
  input: AsyncIterable<Uint8Array | string>,
  opts: ParseOptions = {},
): AsyncGenerator<SourceRecord> {
  const splitter = new PubmedRecordSplitter(opts.maxRecordBytes);
  const decoder = new StringDecoder('utf8'); // keeps multi-byte characters cut by chunk boundaries
  for await (const chunk of input) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    yield* splitter.write(text);
  }
  yield* splitter.write(decoder.end());
  yield* splitter.end();
}

/** Synchronous whole-string variant of parsePubmedXml (same mapping, same errors). */
export function parsePubmedXmlString(xml: string, opts: ParseOptions = {}): SourceRecord[] {
  const splitter = new PubmedRecordSplitter(opts.maxRecordBytes);
  return [...splitter.write(xml), ...splitter.end()];
}
