// The PubMed Source: compiles strategies with compilePubmed and searches through EutilsClient.
import type { SourceRecord } from '../../records/types.js';
import type { Source } from '../types.js';
import { compilePubmed } from '../../strategy/compile/pubmed.js';
import { EutilsClient, type EutilsClientOptions, type PubmedSearch } from './eutils-client.js';
import type { RateLimiter } from '../http/rate-limiter.js';

export interface PubmedSourceOptions {
  baseUrl: string;
  apiKey?: string;
  email?: string;
  tool: string;
  batchSize?: number;
  /** Records one search may page through before its window is split (PubMed: 9,999). */
  maxPerQuery?: number;
  rateLimiter?: RateLimiter;
  onResponse?: (status: number | 'error') => void;
  /** Retry, timeout and size knobs passed to the client as they are. */
  client?: Omit<EutilsClientOptions, 'baseUrl' | 'apiKey' | 'email' | 'tool' | 'batchSize' | 'historyCap' | 'rateLimiter' | 'onResponse'>;
}

export interface PubmedSource extends Source {
  search(request: Parameters<Source['search']>[0]): Promise<PubmedSearch>;
}

export function createPubmedSource(opts: PubmedSourceOptions): PubmedSource {
  const client = new EutilsClient({
    ...opts.client,
    baseUrl: opts.baseUrl,
    tool: opts.tool,
    email: opts.email,
    apiKey: opts.apiKey,
    batchSize: opts.batchSize,
    historyCap: opts.maxPerQuery,
    rateLimiter: opts.rateLimiter,
    onResponse: opts.onResponse,
  });
  return {
    name: 'pubmed',
    compileQuery: compilePubmed,
    search: (req) =>
      client.search({ term: req.query, window: req.window, signal: req.signal, onProgress: req.onProgress }),
    async lookup(known, signal) {
      const pmids = [...new Set(known.flatMap((k) => (k.pmid ? [k.pmid] : [])))];
      const records: SourceRecord[] = [];
      for (let i = 0; i < pmids.length; i += LOOKUP_BATCH) records.push(...(await client.efetchByIds(pmids.slice(i, i + LOOKUP_BATCH), signal)));
      return records;
    },
  };
}

/** PMIDs per efetch POST: NCBI asks for batches of at most a few hundred. */
const LOOKUP_BATCH = 200;
