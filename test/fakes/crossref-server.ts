// A real HTTP server speaking enough of Crossref's /works to exercise the client end to end: the
// index-date window and type filters, a relevance `query` that matches any word, cursor deep
// paging with one next-cursor string for every page and a short last page, validation-failure
// answers, fault injection, and a request log for assertions.
import { createServer } from 'node:http';
import { words } from '../../src/strategy/evaluate.js';
import { type FakeServer, type LoggedRequest, jsonOrText, listen, logged } from './listen.js';

export type CrossrefItem = Record<string, unknown>;

export interface FakeCrossrefOptions {
  items: CrossrefItem[];
  /** Every Nth request (counting all requests) fails with this fault. */
  failEvery?: { n: number; status: 500 | 429; retryAfter?: string };
  /** Cursors are forgotten after this many pages (Crossref's expire after five idle minutes). */
  cursorPages?: number;
}

export type FakeCrossref = FakeServer;

interface Scroll {
  hits: CrossrefItem[];
  pos: number;
  pages: number;
}

const FILTERS = new Set(['from-index-date', 'until-index-date', 'from-pub-date', 'until-pub-date', 'type']);
/** Crossref's type ids (GET /types); the fake's wording for an unknown one is not a recording. */
const TYPES = new Set(['journal-article', 'posted-content', 'proceedings-article', 'report', 'book-chapter', 'book', 'peer-review', 'dataset', 'component', 'standard', 'dissertation', 'other']);

function indexedDay(item: CrossrefItem): string {
  const parts = (item.indexed as { 'date-parts': number[][] })['date-parts'][0]!;
  return parts.map((p, i) => (i === 0 ? String(p) : String(p).padStart(2, '0'))).join('-');
}

/** The year pub-date filters select on: the earliest of the published dates, as Crossref's `published` is. */
function publishedYear(item: CrossrefItem): number | undefined {
  const years = ['published', 'published-print', 'published-online', 'issued']
    .map((k) => (item[k] as { 'date-parts'?: (number | null)[][] } | undefined)?.['date-parts']?.[0]?.[0])
    .filter((y): y is number => typeof y === 'number');
  return years.length ? Math.min(...years) : undefined;
}

/** The words Crossref's `query` searches: titles, abstract, container, author names. */
function indexWords(item: CrossrefItem): Set<string> {
  const text = [item.title, item.subtitle, item.abstract, item['container-title'], ((item.author as { family?: string; name?: string }[] | undefined) ?? []).map((a) => a.family ?? a.name)]
    .flat(2)
    .filter((s): s is string => typeof s === 'string')
    .join(' ')
    .replace(/<[^>]+>/g, ' ');
  return new Set(words(text));
}

function failure(type: string, value: string, message: string) {
  return { status: 'failed', 'message-type': 'validation-failure', message: [{ type, value, message }] };
}

export async function startFakeCrossref(opts: FakeCrossrefOptions): Promise<FakeCrossref> {
  const log: LoggedRequest[] = [];
  const scrolls = new Map<string, Scroll>();
  const indexed = opts.items.map((item) => ({ item, day: indexedDay(item), year: publishedYear(item), words: indexWords(item) }));
  let requestCount = 0;

  const server = createServer(
    logged(log, ({ path, params, reply }) => {
      const send = jsonOrText(reply, 'text/plain');
      requestCount++;
      const fault = opts.failEvery;
      if (fault && requestCount % fault.n === 0) {
        if (fault.status === 429) return send(429, 'Too Many Requests', fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
        return send(500, { status: 'error', 'message-type': 'exception', 'message-version': '1.0.0', message: { name: 'class clojure.lang.ExceptionInfo', message: 'Response Exception', stack: [], cause: null } });
      }
      if (path !== '/works') return send(404, 'Resource not found.');

      const rows = params.rows ?? '20';
      if (!/^\d+$/.test(rows) || Number(rows) > 1000) {
        return send(400, failure('integer-not-valid', rows, `Integer specified as ${rows} but must be a positive integer less than or equal to 1000. `));
      }
      const filters: [string, string][] = [];
      for (const f of (params.filter ?? '').split(',').filter(Boolean)) {
        const i = f.indexOf(':');
        const [name, value] = i < 0 ? [f, ''] : [f.slice(0, i), f.slice(i + 1)];
        if (!FILTERS.has(name)) return send(400, failure('filter-not-available', name, `Filter '${name}' specified but there is no such filter for this route.`));
        if (name === 'type' && !TYPES.has(value)) return send(400, failure('filter-not-available', `type:${value}`, `Type '${value}' is not a Crossref type id.`));
        if (name.endsWith('-date') && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) return send(400, failure('date-not-valid', value, `Date specified as ${value} but must be of the form yyyy[-mm[-dd]]`));
        filters.push([name, value]);
      }

      let token = params.cursor;
      let scroll: Scroll | undefined;
      if (token === '*') {
        const from = filters.find(([n]) => n === 'from-index-date')?.[1] ?? '0000';
        const until = filters.find(([n]) => n === 'until-index-date')?.[1] ?? '9999';
        const types = filters.filter(([n]) => n === 'type').map(([, v]) => v);
        // a record without a publication date is outside any pub-date filter
        const pubFrom = filters.find(([n]) => n === 'from-pub-date')?.[1];
        const pubUntil = filters.find(([n]) => n === 'until-pub-date')?.[1];
        const inYears = (y: number | undefined) =>
          (pubFrom === undefined && pubUntil === undefined) || (y !== undefined && (pubFrom === undefined || y >= Number(pubFrom.slice(0, 4))) && (pubUntil === undefined || y <= Number(pubUntil.slice(0, 4))));
        const query = words(params.query ?? '');
        // relevance: records sharing more query words first; records sharing none are not hits
        const hits = indexed
          .filter((x) => x.day >= from && x.day.slice(0, until.length) <= until && (types.length === 0 || types.includes(String(x.item.type))) && inYears(x.year))
          .map((x) => ({ x, score: query.length === 0 ? 1 : new Set(query.filter((w) => x.words.has(w))).size }))
          .filter((h) => h.score > 0)
          .sort((a, b) => b.score - a.score || String(a.x.item.DOI).localeCompare(String(b.x.item.DOI)))
          .map((h) => ({ ...h.x.item, score: h.score }));
        // like Crossref's, the token needs URL encoding and stays the same on every page
        token = `DnF1ZXJ5+VGhlbkZldGNo/${scrolls.size + 1}==`;
        scroll = { hits, pos: 0, pages: 0 };
        scrolls.set(token, scroll);
      } else if (token !== undefined) {
        scroll = scrolls.get(token);
        if (!scroll || (opts.cursorPages !== undefined && scroll.pages >= opts.cursorPages)) {
          return send(404, { status: 'failed', 'message-type': 'resource-failure', message: [{ type: 'cursor-invalid', value: token, message: 'Cursor specified but it is invalid' }] });
        }
      } else {
        return send(400, failure('parameter-required', 'cursor', 'this fake only pages with cursors'));
      }
      const page = scroll!.hits.slice(scroll!.pos, scroll!.pos + Number(rows));
      scroll!.pos += page.length;
      scroll!.pages++;
      send(200, {
        status: 'ok',
        'message-type': 'work-list',
        'message-version': '1.0.0',
        message: {
          facets: {},
          'next-cursor': token,
          'total-results': scroll!.hits.length,
          items: page,
          'items-per-page': Number(rows),
          query: { 'start-index': 0, 'search-terms': params.query ?? null },
        },
      });
    }),
  );

  return { ...(await listen(server)), log };
}
