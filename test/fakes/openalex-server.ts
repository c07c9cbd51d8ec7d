// A real HTTP server speaking OpenAlex's works-list protocol, enough to drive the client end to
// end: `filter` (created-date window, language, search filters), cursor paging that ends with an
// empty page and a null cursor, `select`, meta.count, 400 JSON errors, 401 without the key, a 404
// HTML page elsewhere, fault injection and a request log.
//
// Search filters are checked for syntax and logged but not evaluated: like OpenAlex's stemmed
// search, the fake answers a superset of what a strategy matches, which the source narrows.
import { createServer } from 'node:http';
import { type FakeServer, type LoggedRequest, jsonOrText, listen, logged } from './listen.js';
import { spreadDays } from './days.js';

export type Work = Record<string, unknown> & { id: string; created_date: string };

export interface FakeOpenAlexOptions {
  works: Work[];
  /** Requests without this api_key get OpenAlex's 401. */
  requireKey?: string;
  /** Every Nth request (counting all requests) fails with this fault. */
  failEvery?: { n: number; status: 500 | 429; retryAfter?: string };
}

export type FakeOpenAlex = FakeServer;

/** A few of the works filters OpenAlex knows; any other name is refused as OpenAlex refuses it. */
const FILTERS = new Set([
  'from_created_date', 'to_created_date', 'from_publication_date', 'to_publication_date', 'language', 'type', 'is_retracted',
  'title.search', 'title_and_abstract.search', 'abstract.search', 'default.search',
]);
const SEARCH_FILTERS = new Set(['title.search', 'title_and_abstract.search', 'abstract.search', 'default.search']);
const SELECTABLE = new Set([
  'id', 'doi', 'title', 'display_name', 'publication_year', 'publication_date', 'ids', 'language', 'primary_location',
  'type', 'type_crossref', 'authorships', 'biblio', 'is_retracted', 'is_paratext', 'keywords', 'concepts', 'mesh',
  'abstract_inverted_index', 'created_date', 'updated_date',
]);

class BadRequest extends Error {}

export async function startFakeOpenAlex(opts: FakeOpenAlexOptions): Promise<FakeOpenAlex> {
  const log: LoggedRequest[] = [];
  let requestCount = 0;

  const server = createServer(
    logged(log, ({ path, params, reply }) => {
      const send = jsonOrText(reply, 'text/html; charset=utf-8');
      requestCount++;
      const fault = opts.failEvery;
      if (fault && requestCount % fault.n === 0) {
        const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
        return send(fault.status, fault.status === 429 ? { error: 'Rate limit exceeded' } : '<html><body>Injected fault</body></html>', headers);
      }
      if (path !== '/works') {
        return send(404, '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p>\n');
      }
      if (opts.requireKey !== undefined && params.api_key !== opts.requireKey) {
        return send(401, { error: 'Invalid or missing API key', message: 'API key not found' });
      }
      try {
        send(200, worksPage(opts.works, params));
      } catch (err) {
        if (!(err instanceof BadRequest)) throw err;
        send(400, { error: 'Invalid query parameters error.', message: err.message });
      }
    }),
  );

  return { ...(await listen(server)), log };
}

function worksPage(works: Work[], params: Record<string, string>) {
  const perPage = Number(params.per_page ?? params['per-page'] ?? 25);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new BadRequest('per_page is not valid. It must be a number between 1 and 100.');
  const hits = works.filter(matcher(params.filter ?? ''));
  const cursor = params.cursor;
  let offset = 0;
  if (cursor !== undefined && cursor !== '*') {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!decoded) throw new BadRequest(`cursor ${cursor} is not valid`);
    offset = Number(decoded[1]);
  }
  const results = hits.slice(offset, offset + perPage).map(selector(params.select));
  // As recorded: every non-empty cursor page carries a cursor, even the last one; only the empty
  // page after it has null.
  const nextCursor = cursor !== undefined && results.length > 0 ? Buffer.from(`offset:${offset + results.length}`).toString('base64') : null;
  return {
    meta: { count: hits.length, db_response_time_ms: 3, page: cursor === undefined ? 1 : null, per_page: perPage, next_cursor: nextCursor, groups_count: null, cost_usd: 0.001 },
    results,
    group_by: [],
  };
}

function matcher(filter: string): (w: Work) => boolean {
  const tests: ((w: Work) => boolean)[] = [];
  for (const part of filter.split(',').filter(Boolean)) {
    const colon = part.indexOf(':');
    const key = part.slice(0, colon).trim().replaceAll('-', '_');
    const value = part.slice(colon + 1);
    if (colon < 0 || !FILTERS.has(key)) {
      throw new BadRequest(`${colon < 0 ? part : key} is not a valid field. Valid fields are underscore or hyphenated versions of: ${[...FILTERS].sort().join(', ')}`);
    }
    if (key === 'from_created_date') tests.push((w) => w.created_date.slice(0, 10) >= value);
    else if (key === 'to_created_date') tests.push((w) => w.created_date.slice(0, 10) <= value);
    // By year, which is all compileOpenAlex sends (Jan 1 and Dec 31); a work without one is out.
    else if (key === 'from_publication_date') tests.push((w) => typeof w.publication_year === 'number' && w.publication_year >= Number(value.slice(0, 4)));
    else if (key === 'to_publication_date') tests.push((w) => typeof w.publication_year === 'number' && w.publication_year <= Number(value.slice(0, 4)));
    else if (key === 'language') tests.push((w) => value.split('|').includes(String(w.language)));
    else if (SEARCH_FILTERS.has(key)) checkSearchSyntax(key, value);
    // `!` negates a filter (developers.openalex.org, Filter: Negation).
    else if (value.startsWith('!')) tests.push((w) => !value.slice(1).split('|').includes(String(w[key])));
    else tests.push((w) => value.split('|').includes(String(w[key])));
  }
  return (w) => tests.every((t) => t(w));
}

/** What Elasticsearch's query_string would refuse: unbalanced quotes or parentheses. */
function checkSearchSyntax(key: string, value: string): void {
  let depth = 0;
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && --depth < 0) break;
  }
  if (quoted || depth !== 0) throw new BadRequest(`${key}: cannot parse search query ${value.slice(0, 80)}`);
}

function selector(select: string | undefined): (w: Work) => Record<string, unknown> {
  if (select === undefined) return (w) => w;
  const fields = select.split(',');
  const bad = fields.find((f) => !SELECTABLE.has(f));
  if (bad) throw new BadRequest(`${bad} is not a valid select field. Valid fields for select are: ${[...SELECTABLE].join(', ')}.`);
  return (w) => Object.fromEntries(fields.filter((f) => f in w).map((f) => [f, w[f]]));
}

export interface CloneWorksOptions {
  /** Real-schema works to replicate, round-robin. */
  templates: Work[];
  n: number;
  /** Inclusive; copies get created dates spread evenly over these days. */
  from: string;
  to: string;
  idBase?: number;
}

/**
 * Copies with fresh W ids, DOIs and PMIDs, the created date set, a per-copy title suffix and
 * first page, so the deduplicator sees different works.
 */
export function cloneWorks({ templates, n, from, to, idBase = 7_100_000_000 }: CloneWorksOptions): Work[] {
  if (templates.length === 0) throw new Error('no template works');
  const days = spreadDays(n, from, to);
  return Array.from({ length: n }, (_, i) => {
    const t = structuredClone(templates[i % templates.length]!);
    const id = `W${idBase + i}`;
    const doi = `https://doi.org/10.5555/oa.${idBase + i}`;
    const ids: Record<string, string> = { openalex: `https://openalex.org/${id}`, doi };
    if ((t.ids as Record<string, unknown> | undefined)?.pmid) ids.pmid = `https://pubmed.ncbi.nlm.nih.gov/${30_000_000 + i}`;
    const title = typeof t.title === 'string' ? `${t.title} [copy ${id}]` : t.title;
    return {
      ...t,
      id: `https://openalex.org/${id}`,
      doi,
      ids,
      title,
      display_name: title,
      // titles differing only in the suffix look alike to the deduplicator; pages tell copies apart
      biblio: { ...(t.biblio as object | null), first_page: String(i + 1), last_page: null },
      created_date: days[i]!,
    };
  });
}
