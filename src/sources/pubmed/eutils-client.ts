// NCBI E-utilities client for PubMed: esearch (history server) + efetch in batches, with
// process-wide rate limiting, bounded retries, deadlines and a response-size cap.
import { RetryableError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import type { DateWindow, SearchProgress } from '../types.js';
import { checkWindow, halve } from '../date-window.js';
import { type EsearchResult, parseEsearchResult } from './esearch-result.js';
import { parsePubmedXml } from './parse.js';
import { ApiHttp, type HttpTuning } from '../http/api-http.js';

export const DEFAULT_EUTILS_BASE_URL = 'https://eutils.ncbi.nlm.nih.gov/entrez/eutils';

/** NCBI's documented limit: 3 requests/s, 10 with an API key. */
export function eutilsPerSecond(apiKey: string | undefined): number {
  return apiKey ? 10 : 3;
}

export interface EutilsClientOptions extends HttpTuning {
  /** Default DEFAULT_EUTILS_BASE_URL (config: EUTILS_BASE_URL). */
  baseUrl?: string;
  /** NCBI's `tool` parameter (an app name without spaces). */
  tool: string;
  email?: string;
  apiKey?: string;
  /** Records per efetch request. Default 500. */
  batchSize?: number;
  /**
   * How many records of one search NCBI lets us page through (retstart + retmax). PubMed refuses
   * to go past the first 9,999; a lower value lets tests exercise window splitting. Default 9999.
   */
  historyCap?: number;
  maxRecordBytes?: number;
  /** Told each HTTP status received, or 'error' for a transport failure (for /metrics). */
  onResponse?: (status: number | 'error') => void;
}

export interface PubmedSearchRequest {
  term: string;
  window: DateWindow;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
}

export interface PubmedSearch {
  /** Sum of the counts of the (possibly split) windows. */
  identified: number;
  /** One array per efetch batch, yielded only once the whole batch has parsed. */
  batches: AsyncIterable<SourceRecord[]>;
  /**
   * Things a reviewer should know: PhraseNotFound notes, fewer records returned than counted.
   * Filled as the search and its batches run.
   */
  warnings: string[];
}

interface WindowPlan extends EsearchResult {
  window: DateWindow;
  /** Set when one day over the cap was narrowed by PMID range. */
  uids?: UidRange;
}

/** Long queries go as a form POST: NCBI answers 414 to very long GET URLs. */
const MAX_GET_QUERY_CHARS = 1500;

export class EutilsClient {
  private readonly http: ApiHttp;
  private readonly identity: Record<string, string>;
  private readonly batchSize: number;
  private readonly historyCap: number;
  private readonly maxRecordBytes: number | undefined;

  constructor(opts: EutilsClientOptions) {
    const baseUrl = (opts.baseUrl ?? DEFAULT_EUTILS_BASE_URL).replace(/\/+$/, '');
    this.http = new ApiHttp({ ...opts, baseUrl, perSecond: eutilsPerSecond(opts.apiKey), headers: { 'User-Agent': `living-review (${opts.tool})` } });
    this.identity = { tool: opts.tool };
    if (opts.email) this.identity.email = opts.email;
    if (opts.apiKey) this.identity.api_key = opts.apiKey;
    this.batchSize = opts.batchSize ?? 500;
    this.historyCap = opts.historyCap ?? 9999;
    this.maxRecordBytes = opts.maxRecordBytes;
    if (!(this.batchSize >= 1 && this.historyCap >= 1)) throw new RangeError('batchSize and historyCap must be >= 1');
  }

  /**
   * Plans the search (esearch per window, halving windows whose count exceeds historyCap down to
   * single days, and a day over it by PMID range) and returns the identified total with a lazy
   * iterable of efetch batches.
   */
  async search(req: PubmedSearchRequest): Promise<PubmedSearch> {
    checkWindow(req.window);
    const progress: SearchProgress = { identified: 0, fetched: 0, requests: 0, retries: 0 };
    const tell = () => req.onProgress?.({ ...progress });
    const warnings: string[] = [];
    const plans: WindowPlan[] = [];
    const plan = async (window: DateWindow, uids?: UidRange): Promise<void> => {
      const term = uids ? `(${req.term}) AND ${uids.from}:${uids.to}[uid]` : req.term;
      const r = await this.esearch(term, window, progress, tell, req.signal);
      // Each half of a split window says the same of the query (PhraseNotFound): once is enough.
      for (const w of r.warnings) if (!warnings.includes(w)) warnings.push(w);
      if (r.count <= this.historyCap) {
        if (r.count > 0 || !uids) plans.push({ ...r, window, uids });
      } else if (window.from !== window.to) {
        for (const half of halve(window)) await plan(half);
      } else if (!uids || uids.to > uids.from) {
        // One day over the cap: PMID ranges split it further, as no date can.
        for (const half of halveUids(uids ?? ALL_PMIDS)) await plan(window, half);
      } else {
        warnings.push(`${window.from}: PMID ${uids.from} counted ${r.count} times; only the first ${this.historyCap} are fetched`);
        plans.push({ ...r, window, uids });
      }
    };
    await plan(req.window);
    progress.identified = plans.reduce((sum, p) => sum + p.count, 0);
    tell();
    return { identified: progress.identified, batches: this.batches(plans, progress, tell, warnings, req.signal), warnings };
  }

  private async *batches(
    plans: WindowPlan[],
    progress: SearchProgress,
    tell: () => void,
    warnings: string[],
    signal?: AbortSignal,
  ): AsyncGenerator<SourceRecord[]> {
    for (const p of plans) {
      const reachable = Math.min(p.count, this.historyCap);
      let got = 0;
      for (let retstart = 0; retstart < reachable; retstart += this.batchSize) {
        const retmax = Math.min(this.batchSize, reachable - retstart);
        const params = { query_key: p.queryKey, WebEnv: p.webEnv, retstart: String(retstart), retmax: String(retmax) };
        // A page of a search's own results comes back with records; an empty one is NCBI failing.
        const records = await this.efetch(params, 'GET', progress, tell, signal, { atLeastOne: true });
        got += records.length;
        progress.fetched += records.length;
        tell();
        yield records;
      }
      if (got < reachable) {
        const where = p.uids ? `${p.window.from}, PMIDs ${p.uids.from}:${p.uids.to}` : `${p.window.from}..${p.window.to}`;
        warnings.push(`${where}: efetch returned ${got} of ${reachable} records (deleted or withdrawn PMIDs)`);
      }
    }
  }

  /** Fetches records by PMID (form POST, so long lists do not hit URL limits). */
  async efetchByIds(pmids: string[], signal?: AbortSignal): Promise<SourceRecord[]> {
    const progress: SearchProgress = { identified: pmids.length, fetched: 0, requests: 0, retries: 0 };
    return this.efetch({ id: pmids.join(',') }, 'POST', progress, () => undefined, signal);
  }

  private esearch(
    term: string,
    window: DateWindow,
    progress: SearchProgress,
    tell: () => void,
    signal?: AbortSignal,
  ): Promise<EsearchResult> {
    // The create date: the day a record entered PubMed. Its entrez date (edat) is set to the
    // publication date when it entered more than a year after publication (NLM policy since 2008),
    // so an old paper indexed late fell before every window still to come and was never found.
    const params = {
      db: 'pubmed', term, usehistory: 'y', datetype: 'crdt',
      mindate: eutilsDate(window.from), maxdate: eutilsDate(window.to), retmax: '0',
    };
    const method = new URLSearchParams(params).toString().length > MAX_GET_QUERY_CHARS ? 'POST' : 'GET';
    return this.call('esearch', method, params, progress, tell, signal, async (body) => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk));
      return parseEsearchResult(Buffer.concat(chunks).toString('utf8'));
    });
  }

  private efetch(
    params: Record<string, string>,
    method: 'GET' | 'POST',
    progress: SearchProgress,
    tell: () => void,
    signal?: AbortSignal,
    expect: { atLeastOne?: boolean } = {},
  ): Promise<SourceRecord[]> {
    const all = { db: 'pubmed', retmode: 'xml', rettype: 'abstract', ...params };
    return this.call('efetch', method, all, progress, tell, signal, async (body) => {
      // the whole batch is parsed before anything is returned: a retry never yields duplicates
      const records: SourceRecord[] = [];
      for await (const r of parsePubmedXml(body, { maxRecordBytes: this.maxRecordBytes })) records.push(r);
      if (expect.atLeastOne && records.length === 0) throw new RetryableError('efetch returned no records for a page of the search results');
      return records;
    });
  }

  /** One E-utility call with rate limiting and retries; `consume` reads the (capped) body. */
  private call<T>(
    utility: 'esearch' | 'efetch',
    method: 'GET' | 'POST',
    params: Record<string, string>,
    progress: SearchProgress,
    tell: () => void,
    signal: AbortSignal | undefined,
    consume: (body: AsyncIterable<Uint8Array>) => Promise<T>,
  ): Promise<T> {
    return this.http.request({
      what: utility,
      path: `${utility}.fcgi`,
      method,
      params: { ...params, ...this.identity },
      signal,
      progress: { counts: progress, tell },
      consume,
    });
  }
}

interface UidRange {
  from: number;
  to: number;
}

/** Every PMID there is or will be for years (they passed 40,000,000 in 2025). */
const ALL_PMIDS: UidRange = { from: 1, to: 999_999_999 };

function halveUids(r: UidRange): [UidRange, UidRange] {
  const mid = Math.floor((r.from + r.to) / 2);
  return [{ from: r.from, to: mid }, { from: mid + 1, to: r.to }];
}

/** E-utilities date parameter form, YYYY/MM/DD. */
function eutilsDate(iso: string): string {
  return iso.replaceAll('-', '/');
}
