// Crossref has no Boolean search: `query` ranks every record sharing any word. The strategy is
// evaluated locally on what comes back (src/strategy/evaluate.ts); the query only has to rank the
// records that can match first, so it is the strategy's distinct words, all blocks in one query.
import { words } from '../evaluate.js';
import type { SearchStrategy } from '../types.js';

/**
 * The words of every text term of every block, each once, in strategy order. One query for all
 * blocks rather than one per block: Crossref sorts by relevance, so a record sharing words with
 * every concept scores above one sharing a single concept, and the records the strategy can match
 * come first in the scan. A block's words alone would rank "naloxone in rats" with "peer-delivered
 * naloxone". A truncated term sends its stem (`overdos*` -> "overdos"); Crossref matches whole
 * words, so the stem helps only where it is one. MeSH headings are not sent: Crossref has none.
 * Nor are the words of `strategy.not`: they would rank first the records the check leaves out.
 */
export function compileCrossref(strategy: SearchStrategy): string {
  const seen = new Set<string>();
  for (const block of strategy.blocks) {
    for (const term of block.terms) for (const w of words(term.text)) seen.add(w);
  }
  return [...seen].join(' ');
}
