// The OpenAlex Source: compiles strategies with compileOpenAlex, searches through OpenAlexClient,
// and checks what comes back against the strategy, since OpenAlex's search is broader.
import { compileOpenAlex } from '../../strategy/compile/openalex.js';
import { compileEvaluator } from '../../strategy/evaluate.js';
import type { SearchStrategy } from '../../strategy/types.js';
import type { Source } from '../types.js';
import { OpenAlexClient, type OpenAlexClientOptions, type OpenAlexSearch } from './client.js';

export type OpenAlexSourceOptions = OpenAlexClientOptions;

export interface OpenAlexSource extends Source {
  search(request: Parameters<Source['search']>[0]): Promise<OpenAlexSearch>;
}

/** True when the query is the strategy compiled, not a protocol override. */
function isCompiled(query: string, strategy: SearchStrategy): boolean {
  try {
    return compileOpenAlex(strategy) === query;
  } catch {
    return false; // a strategy that does not compile cannot be what was sent
  }
}

export function createOpenAlexSource(opts: OpenAlexSourceOptions): OpenAlexSource {
  const client = new OpenAlexClient(opts);
  return {
    name: 'openalex',
    compileQuery: compileOpenAlex,
    async search(req) {
      const checked = req.strategy !== undefined && isCompiled(req.query, req.strategy);
      const search = await client.search({
        filter: req.query,
        window: req.window,
        ...(checked ? { keep: compileEvaluator(req.strategy!) } : {}),
        signal: req.signal,
        onProgress: req.onProgress,
      });
      if (req.strategy && !checked) {
        search.warnings.push("the protocol's own OpenAlex query was sent; records were not checked against the strategy");
      }
      return search;
    },
  };
}
