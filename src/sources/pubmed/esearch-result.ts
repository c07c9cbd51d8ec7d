// Reads the small ESearch XML answer: top-level Count, QueryKey, WebEnv, and NCBI's in-band errors.
import { SaxesParser } from 'saxes';
import { PermanentError, RetryableError } from '../../errors.js';

export interface EsearchResult {
  count: number;
  queryKey: string;
  webEnv: string;
  /** PhraseNotFound / FieldNotFound / OutputMessage notes: strategy problems to show reviewers. */
  warnings: string[];
}

const NOTE_ELEMENTS = new Set(['PhraseNotFound', 'FieldNotFound', 'QuotedPhraseNotFound', 'OutputMessage', 'PhraseIgnored']);

/**
 * Throws PermanentError with NCBI's message for an in-band <ERROR>, RetryableError for a body
 * that is not a complete eSearchResult (cut or an HTML error page with status 200).
 */
export function parseEsearchResult(xml: string): EsearchResult {
  const sax = new SaxesParser({ xmlns: false });
  const path: string[] = [];
  const top: Record<string, string> = {};
  const errors: string[] = [];
  const warnings: string[] = [];
  let text = '';
  sax.on('opentag', (tag) => {
    path.push(tag.name);
    text = '';
  });
  sax.on('text', (t) => {
    text += t;
  });
  sax.on('closetag', (tag) => {
    const value = text.trim();
    if (tag.name === 'ERROR') errors.push(value);
    else if (path.length === 2) top[tag.name] = value; // direct children of eSearchResult only
    else if (NOTE_ELEMENTS.has(tag.name) && value) warnings.push(`${tag.name}: ${value}`);
    path.pop();
    text = '';
  });
  try {
    sax.write(xml).close();
  } catch (err) {
    throw new RetryableError(`ESearch answer is not well-formed XML: ${(err as Error).message}`, { cause: err });
  }
  if (errors.length > 0) throw new PermanentError(`NCBI esearch error: ${errors.join('; ')}`);
  const count = Number(top.Count);
  if (top.Count === undefined || !Number.isInteger(count)) {
    throw new RetryableError('ESearch answer has no Count');
  }
  if (count > 0 && (!top.QueryKey || !top.WebEnv)) {
    throw new RetryableError('ESearch answer has no QueryKey/WebEnv although usehistory=y was sent');
  }
  return { count, queryKey: top.QueryKey ?? '', webEnv: top.WebEnv ?? '', warnings };
}
