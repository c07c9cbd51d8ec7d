// Europe PMC REST search: one query per window on the first index date, paged with cursorMark,
// resultType=core in JSON. Every request goes through ApiHttp (limiter, retries, deadline, cap).
import { cursorTrail } from '../cursor.js';
import type { SourceRecord } from '../../records/types.js';
import type { DateWindow, SearchProgress, SourceSearch } from '../types.js';
import { ApiHttp, type HttpTuning, pageSize, readJson } from '../http/api-http.js';
import { checkWindow } from '../date-window.js';
import { type EuropePmcPage, parseEuropePmcPage } from './parse.js';

export const DEFAULT_EUROPEPMC_BASE_URL = 'https://www.ebi.ac.uk/europepmc/webservices/rest';

/** Europe PMC publishes no limit; about one request a second is the politeness others use. */
export const EUROPEPMC_PER_SECOND = 1;
/** The API's largest page: fewer requests for the same records. */
const MAX_PAGE_SIZE = 1000;
/** Longer (encoded) queries go as a form POST to searchPOST, clear of URL length limits. */
const MAX_GET_QUERY_CHARS = 1500;

export interface EuropePmcClientOptions extends HttpTuning {
  /** Default DEFAULT_EUROPEPMC_BASE_URL (config: EUROPEPMC_BASE_URL). */
  baseUrl?: string;
  /** Results per page, 1-1000. Default 1000. */
  pageSize?: number;
  onResponse?: (status: number | 'error') => void;
}

export interface EuropePmcSearchRequest {
  query: string;
  window: DateWindow;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
}

/** The query actually sent: the window is on FIRST_IDATE, so late-indexed old papers are caught. */
export function windowedQuery(query: string, window: DateWindow): string {
  return `(${query}) AND FIRST_IDATE:[${window.from} TO ${window.to}]`;
}

export class EuropePmcClient {
  private readonly http: ApiHttp;
  private readonly pageSize: number;

  constructor(opts: EuropePmcClientOptions = {}) {
    const baseUrl = (opts.baseUrl ?? DEFAULT_EUROPEPMC_BASE_URL).replace(/\/+$/, '');
    this.pageSize = pageSize('pageSize', opts.pageSize, MAX_PAGE_SIZE, MAX_PAGE_SIZE);
    this.http = new ApiHttp({ ...opts, baseUrl, perSecond: EUROPEPMC_PER_SECOND, headers: { 'User-Agent': 'living-review', Accept: 'application/json' } });
  }

  /**
   * Fetches the first page (its hitCount is `identified`) and returns it with a lazy iterable that
   * yields it and then follows the cursor: one batch per non-empty page.
   */
  async search(req: EuropePmcSearchRequest): Promise<SourceSearch & { warnings: string[] }> {
    checkWindow(req.window);
    const query = windowedQuery(req.query, req.window);
    const progress: SearchProgress = { identified: 0, fetched: 0, requests: 0, retries: 0 };
    const tell = () => req.onProgress?.({ ...progress });
    const warnings: string[] = [];
    const first = await this.page(query, '*', progress, tell, req.signal);
    progress.identified = first.hitCount;
    tell();
    return { identified: first.hitCount, batches: this.batches(query, first, progress, tell, warnings, req.signal), warnings };
  }

  private async *batches(
    query: string,
    first: EuropePmcPage,
    progress: SearchProgress,
    tell: () => void,
    warnings: string[],
    signal?: AbortSignal,
  ): AsyncGenerator<SourceRecord[]> {
    let page = first;
    let sent = '*';
    const follow = cursorTrail('Europe PMC');
    for (;;) {
      warnings.push(...page.warnings);
      if (page.records.length > 0) {
        progress.fetched += page.records.length;
        tell();
        yield page.records;
      }
      // The last page is short, or carries no cursor, or echoes the one it was sent.
      const next = page.nextCursorMark;
      if (page.records.length + page.warnings.length < this.pageSize || !next || next === sent) break;
      sent = follow(next);
      page = await this.page(query, sent, progress, tell, signal);
    }
    if (progress.fetched !== progress.identified) {
      warnings.push(`Europe PMC counted ${progress.identified} records but returned ${progress.fetched} (index changed while paging, or results skipped)`);
    }
  }

  private page(query: string, cursorMark: string, progress: SearchProgress, tell: () => void, signal?: AbortSignal): Promise<EuropePmcPage> {
    const params = { query, resultType: 'core', format: 'json', pageSize: String(this.pageSize), cursorMark };
    const post = new URLSearchParams(params).toString().length > MAX_GET_QUERY_CHARS;
    return this.http.request({
      what: 'europepmc search',
      path: post ? 'searchPOST' : 'search',
      method: post ? 'POST' : 'GET',
      params,
      signal,
      progress: { counts: progress, tell },
      // the whole page is parsed before it is returned: a retried page never yields twice
      consume: async (body) => parseEuropePmcPage(await readJson(body, 'europepmc search')),
    });
  }
}
