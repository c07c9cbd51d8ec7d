// OpenAlex works client: GET /works with the created-date window and the search filters in
// `filter`, cursor paging, one batch per page. All HTTP goes through ApiHttp.
import { cursorTrail } from '../cursor.js';
import { PermanentError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import { ApiHttp, FOUR_KIB_URL, type HttpTuning, pageSize, readJson } from '../http/api-http.js';
import { checkWindow } from '../date-window.js';
import type { DateWindow, SearchProgress, SourceSearch } from '../types.js';
import { parseOpenAlexWork, parseWorksPage, type WorksPage } from './parse.js';

export const DEFAULT_OPENALEX_BASE_URL = 'https://api.openalex.org';

/**
 * OpenAlex allows 100 requests/s per key, but bills every list or search call against a daily
 * budget; a weekly run needs a handful of pages, so speed buys nothing and 5/s stays polite.
 */
export const OPENALEX_PER_SECOND = 5;

/** The current docs cap per_page at 100 (older ones said 200). */
export const MAX_PER_PAGE = 100;

/** Only the fields parse.ts maps: a page without references, locations and counts is ~5x smaller. */
const SELECT = [
  'id', 'doi', 'title', 'display_name', 'publication_year', 'ids', 'language', 'primary_location', 'type',
  'type_crossref', 'authorships', 'biblio', 'is_retracted', 'keywords', 'mesh', 'abstract_inverted_index', 'created_date',
].join(',');

export interface OpenAlexClientOptions extends HttpTuning {
  /** Default DEFAULT_OPENALEX_BASE_URL (config: OPENALEX_BASE_URL). */
  baseUrl?: string;
  /** Sent as `api_key` (config: OPENALEX_API_KEY); required by OpenAlex since February 2026. */
  apiKey?: string;
  /** Sent as `mailto` (config: CONTACT_EMAIL), so OpenAlex can reach whoever runs the review. */
  mailto?: string;
  /** Works per page, 1..100. Default 100. */
  perPage?: number;
  onResponse?: (status: number | 'error') => void;
}

export interface OpenAlexSearchRequest {
  /** OpenAlex filters (comma-separated) to AND with the window: the compiled or overriding query. */
  filter: string;
  window: DateWindow;
  /** Records failing this are dropped, and `identified` counts those that pass. */
  keep?: (record: SourceRecord) => boolean;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
}

export interface OpenAlexSearch extends SourceSearch {
  warnings: string[];
}

/** The window is ours to set: a query setting it too would AND two windows. */
export const OPENALEX_WINDOW_FILTER = /(?:^|,)\s*(?:from|to)[_-]created[_-]date\s*:/i;

export class OpenAlexClient {
  private readonly http: ApiHttp;
  private readonly identity: Record<string, string> = {};
  private readonly perPage: number;

  constructor(opts: OpenAlexClientOptions) {
    const baseUrl = (opts.baseUrl ?? DEFAULT_OPENALEX_BASE_URL).replace(/\/+$/, '');
    this.http = new ApiHttp({ ...opts, baseUrl, perSecond: OPENALEX_PER_SECOND, maxUrlBytes: FOUR_KIB_URL, headers: { 'User-Agent': `living-review${opts.mailto ? ` (mailto:${opts.mailto})` : ''}` } });
    if (opts.mailto) this.identity.mailto = opts.mailto;
    if (opts.apiKey) this.identity.api_key = opts.apiKey;
    this.perPage = pageSize('perPage', opts.perPage, MAX_PER_PAGE, MAX_PER_PAGE);
  }

  /**
   * Fetches the first page (so a bad filter fails here, before any batch) and returns the rest as
   * a lazy walk of the cursor.
   */
  async search(req: OpenAlexSearchRequest): Promise<OpenAlexSearch> {
    checkWindow(req.window);
    if (OPENALEX_WINDOW_FILTER.test(req.filter)) {
      throw new PermanentError(`openalex query: remove from_created_date/to_created_date, the run window sets them (${req.filter})`);
    }
    const filter = [`from_created_date:${req.window.from}`, `to_created_date:${req.window.to}`, req.filter.trim()]
      .filter(Boolean)
      .join(',');
    const progress: SearchProgress = { identified: 0, fetched: 0, requests: 0, retries: 0 };
    const tell = () => req.onProgress?.({ ...progress });
    const first = await this.page(filter, '*', progress, tell, req.signal);
    // Without a local check OpenAlex's count is the answer; with one, records count as they pass.
    if (!req.keep) progress.identified = first.count;
    tell();
    const warnings: string[] = [];
    return {
      get identified() {
        return progress.identified;
      },
      warnings,
      batches: this.batches(first, filter, req, progress, tell, warnings),
    };
  }

  private async *batches(
    first: WorksPage,
    filter: string,
    req: OpenAlexSearchRequest,
    progress: SearchProgress,
    tell: () => void,
    warnings: string[],
  ): AsyncGenerator<SourceRecord[]> {
    let page = first;
    let returned = 0;
    let dropped = 0;
    const follow = cursorTrail('OpenAlex');
    for (let n = 1; ; n++) {
      returned += page.results.length;
      const records: SourceRecord[] = [];
      for (const work of page.results) {
        const skipped: string[] = [];
        const record = parseOpenAlexWork(work, skipped);
        warnings.push(...skipped.map((w) => `page ${n}: ${w}`));
        if (!record) continue;
        if (req.keep && !req.keep(record)) dropped++;
        else records.push(record);
      }
      progress.fetched += records.length;
      if (req.keep) progress.identified += records.length;
      tell();
      if (records.length > 0) yield records;
      // The documented end: an empty page with a null cursor. The last full page still carries a
      // cursor, so "fewer than per_page" is not the test; either sign alone ends the walk.
      if (page.results.length === 0 || page.nextCursor === null) break;
      page = await this.page(filter, follow(page.nextCursor), progress, tell, req.signal);
    }
    if (dropped > 0) {
      warnings.push(`${dropped} of ${returned} works OpenAlex returned do not match the strategy (OpenAlex stems words and matches truncated phrases as separate words) and were dropped`);
    }
    if (returned !== first.count) warnings.push(`OpenAlex counted ${first.count} works for the window but returned ${returned}`);
  }

  private page(filter: string, cursor: string, progress: SearchProgress, tell: () => void, signal?: AbortSignal): Promise<WorksPage> {
    const what = 'openalex works';
    return this.http.request({
      what,
      path: 'works',
      params: { filter, per_page: String(this.perPage), cursor, select: SELECT, ...this.identity },
      signal,
      progress: { counts: progress, tell },
      consume: async (body) => {
        const page = parseWorksPage(await readJson(body, what));
        if (!page) throw new PermanentError(`${what}: response is not a works list (no meta.count or results)`);
        return page;
      },
    });
  }
}
