// The strategy as an OpenAlex works filter expression: what follows `filter=` after the date
// window (`sources.openalex.query` overrides it in the same syntax). OpenAlex's search filters take
// Boolean AND/OR/NOT, quoted phrases and a trailing `*` on a single word, but they stem words (Kstem)
// and drop stop words, a `*` inside quotes is not a wildcard, and there is no MeSH filter. So the
// expression asks for a superset of what the strategy matches; the source runs the strategy itself
// (compileEvaluator) on what comes back and drops the rest. For the same reason `strategy.not` is
// not sent, but for its publication types: a stemmed NOT would leave out more than the strategy
// does, and the check applies it.
import { ConfigError } from '../../errors.js';
import type { SearchStrategy, TermField, TextTerm } from '../types.js';
import { iso1Code } from '../languages.js';
import { indexingOf, vocabularyOf } from '../vocabulary.js';

/** OpenAlex search filter per field scope; `default.search` is the `search` parameter as a filter. */
const FILTER: Record<TermField, string> = {
  title: 'title.search',
  tiab: 'title_and_abstract.search',
  all: 'default.search',
};
/** Wider scopes first: a block mixing scopes is sent with its widest one. */
const WIDTH: TermField[] = ['all', 'tiab', 'title'];


/**
 * Lower-case words of a term. Lower case keeps a word such as "OR" from reading as an operator
 * and matches the index, which is lower-cased (wildcard terms are not analysed, so it matters).
 * Punctuation goes: `,` would end the filter and `|` would OR filter values.
 */
function termWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function renderTerm(term: TextTerm): string {
  const truncated = term.text.trimEnd().endsWith('*');
  const words = termWords(term.text);
  if (words.length === 0) throw new ConfigError(`strategy term "${term.text}" has no words`);
  // A trailing wildcard is documented at developers.openalex.org (2026); the older docs refused
  // wildcards. If OpenAlex ever drops the `*` again, such a term finds nothing: check it live.
  if (words.length === 1) return truncated ? `${words[0]}*` : words[0]!;
  // A wildcard inside quotes is not expanded: a truncated phrase becomes its words ANDed (a
  // superset; adjacency is checked locally).
  if (truncated) return `(${words.slice(0, -1).join(' AND ')} AND ${words.at(-1)}*)`;
  return `"${words.join(' ')}"`;
}

/** Compiles a strategy to `title_and_abstract.search:(a OR b) AND (c OR d),language:en`. */
export function compileOpenAlex(strategy: SearchStrategy): string {
  const byFilter = new Map<string, string[]>();
  for (const block of strategy.blocks) {
    // MeSH headings have no OpenAlex filter, nor can a type filter be ORed with a search: both are
    // matched locally, against the work's `mesh` and `type`.
    if (block.terms.length === 0) {
      throw new ConfigError(`strategy block "${block.name}" has only ${indexingOf(block)}, which OpenAlex cannot search`);
    }
    const field = WIDTH.find((f) => block.terms.some((t) => t.field === f))!;
    const filter = FILTER[field];
    const group = byFilter.get(filter) ?? [];
    // "peer-led" and "peer led" are the same search here: send it once
    group.push(`(${[...new Set(block.terms.map(renderTerm))].join(' OR ')})`);
    byFilter.set(filter, group);
  }
  const filters = [...byFilter].map(([filter, blocks]) => `${filter}:${blocks.join(' AND ')}`);
  if (strategy.limits.languages.length > 0) {
    const codes = strategy.limits.languages.map((l) => {
      // OpenAlex `language` takes ISO 639-1 codes.
      const code = iso1Code(l);
      if (!code) throw new ConfigError(`strategy language "${l}" has no OpenAlex language code here`);
      return code;
    });
    filters.push(`language:${[...new Set(codes)].join('|')}`);
  }
  const years = strategy.limits.years;
  if (years?.from !== undefined) filters.push(`from_publication_date:${years.from}-01-01`);
  if (years?.to !== undefined) filters.push(`to_publication_date:${years.to}-12-31`);
  // A type to leave out is exact, not stemmed: sent (a negated filter each, which OpenAlex ANDs)
  // where OpenAlex has the same type, unless an `unless` could keep the record.
  const vocabulary = vocabularyOf('openalex');
  const types = (strategy.not ?? []).flatMap((b) => (b.unless ? [] : (b.publicationTypes ?? []).flatMap((t) => vocabulary.types(t) ?? [])));
  for (const t of new Set(types)) filters.push(`type:!${t}`);
  return filters.join(',');
}
