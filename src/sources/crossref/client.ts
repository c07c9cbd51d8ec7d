// Crossref REST client for /works: a relevance query restricted to an index-date window, deep
// paged with cursors, each page evaluated locally against the strategy (Crossref has no Boolean
// search). Every call goes through ApiHttp: rate limit, retries, deadlines, byte cap.
import { PermanentError, RetryableError } from '../../errors.js';
import type { SourceRecord } from '../../records/types.js';
import type { YearRange } from '../../strategy/types.js';
import { ApiHttp, FOUR_KIB_URL, type HttpTuning, pageSize, readJson } from '../http/api-http.js';
import { checkWindow } from '../date-window.js';
import type { DateWindow, SearchProgress, SourceSearch } from '../types.js';
import { parseCrossrefWork } from './parse.js';

export const DEFAULT_CROSSREF_BASE_URL = 'https://api.crossref.org';

/**
 * Record types searched. Journal articles (notices included), preprints, conference papers and
 * reports; not peer-review reports (their titles say "peer"), components, datasets or standards.
 */
export const DEFAULT_CROSSREF_TYPES = ['journal-article', 'posted-content', 'proceedings-article', 'report'];

export interface CrossrefClientOptions extends HttpTuning {
  /** Default DEFAULT_CROSSREF_BASE_URL (config: CROSSREF_BASE_URL). */
  baseUrl?: string;
  /** Polite-pool contact (config: CONTACT_EMAIL): sent as `mailto` and in the User-Agent. */
  mailto?: string;
  /** Records per page, 1..1000. Default 200: pages carry full records with reference lists. */
  rows?: number;
  /** Records examined per search before it stops with a warning. Default 20,000. */
  maxScanned?: number;
  types?: string[];
  onResponse?: (status: number | 'error') => void;
}

export interface CrossrefSearchRequest {
  query: string;
  window: DateWindow;
  /** The local strategy: only records it keeps are yielded and counted as identified. */
  keep: (record: SourceRecord) => boolean;
  /** The strategy's publication years, sent as pub-date filters so old records re-indexed in the window are not scanned. */
  years?: YearRange;
  signal?: AbortSignal;
  onProgress?: (progress: SearchProgress) => void;
}

export interface CrossrefSearch extends SourceSearch {
  /** Records the strategy matched so far: grows while the batches are read. */
  readonly identified: number;
  warnings: string[];
}

interface Page {
  items: unknown[];
  total: number;
  nextCursor: string | undefined;
}

/**
 * Crossref's public pool allowed 5 requests/s with one at a time (Jun 2026); list queries in the
 * polite pool have been seen at 3/s. Pages are fetched one after another (each needs the previous
 * cursor), so 3/s is never the bottleneck and stays under every limit observed.
 */
export const CROSSREF_PER_SECOND = 3;

export class CrossrefClient {
  private readonly http: ApiHttp;
  private readonly identity: Record<string, string>;
  private readonly rows: number;
  private readonly maxScanned: number;
  private readonly types: string[];

  constructor(opts: CrossrefClientOptions = {}) {
    const baseUrl = (opts.baseUrl ?? DEFAULT_CROSSREF_BASE_URL).replace(/\/+$/, '');
    // Crossref caps rows at 1000.
    this.rows = pageSize('rows', opts.rows, 200, 1000);
    this.maxScanned = opts.maxScanned ?? 20_000;
    if (!(this.maxScanned >= 1)) throw new RangeError('maxScanned must be >= 1');
    this.types = opts.types ?? DEFAULT_CROSSREF_TYPES;
    // Crossref asks for contact details in the User-Agent as well as in mailto.
    const agent = opts.mailto ? `living-review (mailto:${opts.mailto})` : 'living-review';
    this.http = new ApiHttp({ ...opts, baseUrl, perSecond: CROSSREF_PER_SECOND, maxUrlBytes: FOUR_KIB_URL, headers: { 'User-Agent': agent } });
    this.identity = opts.mailto ? { mailto: opts.mailto } : {};
  }

  /**
   * Fetches the first page (so a refused query fails here, before anything is staged) and returns
   * the pages as batches of the records the strategy keeps. Pages come in relevance order: when
   * maxScanned stops the scan, what is left unread is what shares the fewest query words.
   */
  async search(req: CrossrefSearchRequest): Promise<CrossrefSearch> {
    checkWindow(req.window);
    const progress: SearchProgress = { identified: 0, fetched: 0, requests: 0, retries: 0 };
    const tell = () => req.onProgress?.({ ...progress });
    const warnings: string[] = [];
    // the scan never reads more than maxScanned: a smaller cap asks for smaller pages
    const rows = Math.min(this.rows, this.maxScanned);
    const first = await this.page(req, '*', rows, progress, tell);
    return {
      get identified() {
        return progress.identified;
      },
      batches: this.batches(req, first, rows, progress, tell, warnings),
      warnings,
    };
  }

  private async *batches(
    req: CrossrefSearchRequest,
    first: Page,
    rows: number,
    progress: SearchProgress,
    tell: () => void,
    warnings: string[],
  ): AsyncGenerator<SourceRecord[]> {
    const window = `${req.window.from}..${req.window.to}`;
    let page = first;
    let scanned = 0;
    let noDoi = 0;
    for (;;) {
      scanned += page.items.length;
      const kept: SourceRecord[] = [];
      for (const item of page.items) {
        const record = parseCrossrefWork(item);
        if (!record) noDoi++;
        else if (req.keep(record)) kept.push(record);
      }
      progress.identified += kept.length;
      progress.fetched += kept.length;
      tell();
      if (kept.length > 0) yield kept;
      // next-cursor is the same string on every page: the end is a short (or empty) page
      if (page.items.length < rows) break;
      if (scanned >= this.maxScanned) {
        warnings.push(
          `crossref ${window}: stopped after examining ${scanned} of ${page.total} records the query ranked (maxScanned ${this.maxScanned}); the window was not fully scanned, the least relevant records were not examined`,
        );
        break;
      }
      if (!page.nextCursor) throw new PermanentError(`crossref works: a full page came without next-cursor after ${scanned} records`);
      page = await this.page(req, page.nextCursor, rows, progress, tell);
    }
    if (noDoi > 0) warnings.push(`crossref ${window}: ${noDoi} item(s) without a DOI skipped`);
    warnings.push(`crossref ${window}: examined ${scanned} records, ${progress.identified} matched the strategy`);
  }

  private page(req: CrossrefSearchRequest, cursor: string, rows: number, progress: SearchProgress, tell: () => void): Promise<Page> {
    const filter = [`from-index-date:${req.window.from}`, `until-index-date:${req.window.to}`, ...this.types.map((t) => `type:${t}`)];
    if (req.years?.from !== undefined) filter.push(`from-pub-date:${req.years.from}`);
    if (req.years?.to !== undefined) filter.push(`until-pub-date:${req.years.to}`);
    return this.http.request({
      what: 'crossref works',
      path: 'works',
      params: { query: req.query, filter: filter.join(','), rows: String(rows), cursor, ...this.identity },
      signal: req.signal,
      progress: { counts: progress, tell },
      explain: explainFailure,
      consume: async (body) => workList(await readJson(body, 'crossref works')),
    });
  }
}

/** The work-list envelope: {"status":"ok","message-type":"work-list","message":{items,...}}. */
function workList(json: unknown): Page {
  const env = json as { status?: unknown; 'message-type'?: unknown; message?: Record<string, unknown> } | null;
  const m = env?.message;
  if (env?.status !== 'ok' || env['message-type'] !== 'work-list' || !m || !Array.isArray(m.items)) {
    // a 200 with another shape is a proxy or an outage page, not an answer
    throw new RetryableError(`crossref works: not a work-list (${JSON.stringify(json).slice(0, 120)})`);
  }
  return {
    items: m.items,
    total: typeof m['total-results'] === 'number' ? m['total-results'] : 0,
    nextCursor: typeof m['next-cursor'] === 'string' ? m['next-cursor'] : undefined,
  };
}

/**
 * Crossref's error bodies: {"status":"failed","message-type":"validation-failure",
 * "message":[{"type","value","message"}]}; a 404 for a cursor that expired (after five minutes
 * unused) says cursor-invalid. Anything else keeps ApiHttp's excerpt.
 */
export function explainFailure(status: number, body: string): string | undefined {
  let json: { 'message-type'?: unknown; message?: unknown };
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(json.message)) return undefined;
  const complaints = json.message
    .filter((m): m is { type?: unknown; value?: unknown; message?: unknown } => typeof m === 'object' && m !== null)
    .map((m) => `${String(m.type ?? '?')}${m.value !== undefined ? ` (${String(m.value)})` : ''}: ${String(m.message ?? '').trim()}`);
  if (complaints.length === 0) return undefined;
  const hint = status === 404 && complaints.some((c) => c.startsWith('cursor-invalid')) ? ' - the scan took too long between pages; run the window again' : '';
  return `${String(json['message-type'] ?? 'failed')}: ${complaints.join('; ')}${hint}`;
}
