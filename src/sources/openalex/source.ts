// The OpenAlex Source: compiles strategies with compileOpenAlex, searches through OpenAlexClient,
// and checks what comes back against the strategy, since OpenAlex's search is broader.
import { compileOpenAlex } from '../../strategy/compile/openalex.js';
import { compileEvaluator } from '../../strategy/evaluate.js';
import { localCheckNotes } from '../../strategy/vocabulary.js';
import type { Source } from '../types.js';
import { OpenAlexClient, type OpenAlexClientOptions, type OpenAlexSearch } from './client.js';

export type OpenAlexSourceOptions = OpenAlexClientOptions;

export interface OpenAlexSource extends Source {
  search(request: Parameters<Source['search']>[0]): Promise<OpenAlexSearch>;
}

export function createOpenAlexSource(opts: OpenAlexSourceOptions): OpenAlexSource {
  const client = new OpenAlexClient(opts);
  const checksStrategy = (override: boolean) => !override;
  return {
    name: 'openalex',
    compileQuery: compileOpenAlex,
    checksStrategy,
    async search(req) {
      const checked = req.strategy !== undefined && checksStrategy(req.override ?? false);
      const search = await client.search({
        filter: req.query,
        window: req.window,
        ...(checked ? { keep: compileEvaluator(req.strategy!, 'openalex') } : {}),
        signal: req.signal,
        onProgress: req.onProgress,
      });
      if (req.strategy && !checked) {
        search.warnings.push("the protocol's own OpenAlex query was sent; records were not checked against the strategy");
      }
      if (checked) search.warnings.unshift(...localCheckNotes(req.strategy!, 'openalex'));
      return search;
    },
  };
}
