// The Crossref Source: a relevance query (compileCrossref or the protocol's override) paged by
// CrossrefClient, and the protocol strategy evaluated locally on every record it returns.
import { PermanentError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import { compileCrossref } from '../../strategy/compile/crossref.js';
import { compileEvaluator } from '../../strategy/evaluate.js';
import { indexingOf, localCheckNotes } from '../../strategy/vocabulary.js';
import type { SearchStrategy } from '../../strategy/types.js';
import type { Source } from '../types.js';
import { CrossrefClient, type CrossrefClientOptions, type CrossrefSearch } from './client.js';
import { medlineCode } from '../../strategy/languages.js';

export type CrossrefSourceOptions = CrossrefClientOptions;

export interface CrossrefSource extends Source {
  search(request: Parameters<Source['search']>[0]): Promise<CrossrefSearch>;
}

/**
 * What the strategy keeps, and what a maintainer should know about applying it to Crossref.
 * Crossref has no language filter: a record in another language is dropped, one without a
 * language (most of them) is kept.
 */
export function localStrategy(strategy: SearchStrategy): { keep: (r: SourceRecord) => boolean; notes: string[] } {
  const notes: string[] = [];
  for (const b of strategy.blocks) {
    if (b.terms.length === 0) notes.push(`crossref: block "${b.name}" has only ${indexingOf(b)}, which Crossref records do not carry: no record can match it`);
  }
  for (const b of strategy.not ?? []) {
    if (b.mesh.length > 0) notes.push(`crossref: the MeSH headings of not block "${b.name}" leave out no Crossref record, which carries none`);
  }
  notes.push(...localCheckNotes(strategy, 'crossref'));
  const codes = strategy.limits.languages.map((name) => {
    const code = medlineCode(name);
    if (!code) notes.push(`crossref: language limit "${name}" is not known here and is not applied`);
    return code;
  });
  const allowed = codes.includes(undefined) ? new Set<string>() : new Set(codes as string[]);
  const matches = compileEvaluator(strategy, 'crossref');
  return {
    keep: (r) => matches(r) && (allowed.size === 0 || !r.language?.length || r.language.some((l) => allowed.has(l))),
    notes,
  };
}

export function createCrossrefSource(opts: CrossrefSourceOptions): CrossrefSource {
  const client = new CrossrefClient(opts);
  return {
    name: 'crossref',
    compileQuery: compileCrossref,
    checksStrategy: () => true,
    async search(req) {
      if (!req.strategy) throw new PermanentError('crossref: the search needs the protocol strategy, which it applies locally');
      const { keep, notes } = localStrategy(req.strategy);
      const search = await client.search({
        query: req.query,
        window: req.window,
        keep,
        ...(req.strategy.limits.years ? { years: req.strategy.limits.years } : {}),
        signal: req.signal,
        onProgress: req.onProgress,
      });
      search.warnings.unshift(...notes);
      return search;
    },
  };
}
