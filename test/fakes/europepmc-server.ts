// A real HTTP server speaking enough of Europe PMC's REST search to exercise the client end to end:
// GET /search and POST /searchPOST, the FIRST_IDATE range of the query honoured, hitCount,
// cursorMark paging (the last page echoes the cursor it was sent, zero hits carry none), a 400 for
// malformed queries, fault injection by request number, and a request log for assertions.
import { createServer } from 'node:http';
import { type FakeServer, type LoggedRequest, listen, logged } from './listen.js';
import { spreadDays } from './days.js';

export interface FakeEuropePmcRecord {
  /** yyyy-mm-dd, what FIRST_IDATE ranges select on. */
  firstIndexDate: string;
  /** The `core` JSON result served for it. */
  result: Record<string, unknown>;
}

export interface InjectedFault {
  status: number;
  retryAfter?: string;
  body?: string;
}

export interface FakeEuropePmcOptions {
  records: FakeEuropePmcRecord[];
  /** Request number (1-based, counting every request) -> the fault that request gets instead. */
  faults?: Record<number, InjectedFault>;
}

export type FakeEuropePmc = FakeServer;

const RANGE = /FIRST_IDATE:\[(\d{4}-\d{2}-\d{2}) TO (\d{4}-\d{2}-\d{2})\]/;

/** Opaque-looking cursors, as Europe PMC's are; they encode the offset of the next page. */
const cursorFor = (offset: number) => Buffer.from(`fake-cursor:${offset}`).toString('base64');
function offsetOf(cursor: string): number | undefined {
  if (cursor === '*') return 0;
  const m = /^fake-cursor:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

/** Unbalanced parentheses or quotes: the syntax errors a compiler bug would produce. */
function malformed(query: string): boolean {
  let depth = 0;
  let quoted = false;
  for (const ch of query) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && --depth < 0) return true;
  }
  return depth !== 0 || quoted;
}

export async function startFakeEuropePmc(opts: FakeEuropePmcOptions): Promise<FakeEuropePmc> {
  const log: LoggedRequest[] = [];
  const server = createServer(
    logged(log, ({ path, params, entry, reply }) => {
      const send = (status: number, body: string, headers: Record<string, string> = {}) =>
        reply(status, body, { 'content-type': 'application/json;charset=UTF-8', ...headers });
      const fault = opts.faults?.[log.length];
      if (fault) {
        return send(fault.status, fault.body ?? `<html><body>Injected ${fault.status}</body></html>`, {
          'content-type': 'text/html',
          ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}),
        });
      }
      const isGet = entry.method === 'GET' && path.endsWith('/search');
      const isPost = entry.method === 'POST' && path.endsWith('/searchPOST');
      if (!isGet && !isPost) return send(404, '{"error":"not found"}');
      search(params, send);
    }),
  );

  function search(params: Record<string, string>, send: (status: number, body: string) => void): void {
    const query = params.query ?? '';
    if (!query || malformed(query)) return send(400, `{"errCode":400,"errMsg":"Invalid query: ${query.slice(0, 60).replace(/"/g, "'")}"}`);
    const pageSize = Math.min(Number(params.pageSize ?? 25), 1000);
    const cursor = params.cursorMark ?? '*';
    const offset = offsetOf(cursor);
    if (offset === undefined || !(pageSize >= 1)) return send(400, '{"errCode":400,"errMsg":"invalid cursorMark or pageSize"}');
    const range = RANGE.exec(query);
    const hits = range ? opts.records.filter((r) => r.firstIndexDate >= range[1]! && r.firstIndexDate <= range[2]!) : opts.records;
    const page = hits.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = {
      version: '6.9',
      hitCount: hits.length,
      request: { queryString: query, resultType: params.resultType ?? 'lite', cursorMark: encodeURIComponent(cursor), pageSize, sort: '', synonym: false },
      resultList: { result: page.map((r) => r.result) },
    };
    // A full page points further (the page after may be empty); a short one echoes the cursor.
    if (hits.length > 0) body.nextCursorMark = page.length === pageSize ? cursorFor(offset + pageSize) : cursor;
    send(200, JSON.stringify(body));
  }

  return { ...(await listen(server, '/europepmc/webservices/rest')), log };
}


export interface CorpusOptions {
  /** `core` results to replicate round-robin (MED, PMC and PPR ones keep their kind of id). */
  templates: Record<string, unknown>[];
  n: number;
  /** Inclusive; copies' first index dates are spread evenly over these days. */
  from: string;
  to: string;
  idBase?: number;
}

/** Copies of real-shaped results with fresh ids, DOIs and titles: different works to the deduplicator. */
export function cloneEuropePmcCorpus({ templates, n, from, to, idBase = 30_000_000 }: CorpusOptions): FakeEuropePmcRecord[] {
  if (templates.length === 0) throw new Error('no template results');
  const days = spreadDays(n, from, to);
  return Array.from({ length: n }, (_, i) => {
    const template = templates[i % templates.length]!;
    const num = String(idBase + i);
    const firstIndexDate = days[i]!;
    const result: Record<string, unknown> = { ...template, firstIndexDate, title: `${String(template.title)} (copy ${num})` };
    if (template.source === 'PMC') Object.assign(result, { id: `PMC${num}`, pmcid: `PMC${num}` });
    else if (template.source === 'PPR') result.id = `PPR${num}`;
    else Object.assign(result, { id: num, pmid: num });
    if (template.pmcid && template.source !== 'PMC') result.pmcid = `PMC${num}`;
    if (template.doi) result.doi = `${String(template.doi)}.c${num}`;
    return { firstIndexDate, result };
  });
}
