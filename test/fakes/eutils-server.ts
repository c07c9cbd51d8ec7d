// A real HTTP server speaking enough of E-utilities (esearch with history, efetch) to exercise
// the client end to end: date windows on edat or crdt, the PubMed paging cap, fault injection, its own
// rate limit, and a request log for assertions.
import { createServer, type ServerResponse } from 'node:http';
import { type CorpusRecord, EFETCH_FOOTER, EFETCH_HEADER } from './pubmed-corpus.js';
import { type FakeServer, type LoggedRequest, listen, logged } from './listen.js';

export interface FakeEutilsOptions {
  records: CorpusRecord[];
  /** retstart >= cap is refused the way NCBI refuses paging past 9,999. Default 9999. */
  cap?: number;
  /** Every Nth request (counting all requests) fails with this fault. */
  failEvery?: { n: number; status: 500 | 429; retryAfter?: string };
  /** Every Nth efetch answers 200 with the body cut in half. */
  truncateEvery?: number;
  /** Every Nth efetch answers 200 with an HTML page, the one after it with an empty <PubmedArticleSet> (N >= 3). */
  pageEvery?: number;
  /** Answer 429 when more than this many requests arrived within the last 1000 ms. */
  rateLimitPerSecond?: number;
  /** Answer esearch with an in-band <ERROR> carrying this message. */
  esearchError?: string;
  /** Refuse any api_key with NCBI's 400 for an invalid key, whose body echoes the key. */
  rejectApiKey?: boolean;
  /** PMIDs esearch counts and efetch no longer returns, as NCBI does for deleted records. */
  withdrawn?: string[];
  /**
   * PMIDs esearch finds only for a term containing the given text: the fake evaluates no query, so
   * this tells an edited strategy from the one before it.
   */
  foundBy?: Record<string, string>;
  /** A phrase esearch reports in its WarningList as not found (a strategy typo). */
  phraseNotFound?: string;
}

export type FakeEutils = FakeServer;

interface History {
  pmids: CorpusRecord[];
}

export async function startFakeEutils(opts: FakeEutilsOptions): Promise<FakeEutils> {
  const cap = opts.cap ?? 9999;
  const withdrawn = new Set(opts.withdrawn);
  const log: LoggedRequest[] = [];
  const histories = new Map<string, History>();
  const arrivals: number[] = [];
  let requestCount = 0;
  let efetchCount = 0;

  const server = createServer(
    logged(log, ({ t, path, params, res, entry, reply }) => {
      const send = (status: number, body: string, headers: Record<string, string> = {}) =>
        reply(status, body, { 'content-type': 'text/xml; charset=UTF-8', ...headers });
      requestCount++;
      arrivals.push(t);
      while (arrivals.length > 0 && t - arrivals[0]! >= 1000) arrivals.shift();
      if (opts.rateLimitPerSecond !== undefined && arrivals.length > opts.rateLimitPerSecond) {
        return send(429, '{"error":"API rate limit exceeded","count":"' + arrivals.length + '"}', {
          'content-type': 'application/json',
          'retry-after': '1',
        });
      }
      if (opts.rejectApiKey && params.api_key) {
        return send(400, JSON.stringify({ error: 'API key invalid', 'api-key': params.api_key, type: 'invalid', status: 'unknown' }), { 'content-type': 'application/json' });
      }
      const fault = opts.failEvery;
      if (fault && requestCount % fault.n === 0) {
        const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
        return send(fault.status, '<html><body>Injected fault</body></html>', headers);
      }
      if (path.endsWith('/esearch.fcgi')) return esearch(params, send);
      if (path.endsWith('/efetch.fcgi')) return efetch(params, res, entry, send);
      send(404, 'not found');
    }),
  );

  function esearch(params: Record<string, string>, send: (s: number, b: string) => void): void {
    if (opts.esearchError) {
      return send(200, `<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><ERROR>${opts.esearchError}</ERROR></eSearchResult>`);
    }
    const from = (params.mindate ?? '0000/00/00').replaceAll('/', '-');
    const to = (params.maxdate ?? '9999/99/99').replaceAll('/', '-');
    // The client narrows a day over the cap with "(term) AND lo:hi[uid]".
    const uids = /AND (\d+):(\d+)\[uid\]$/.exec(params.term ?? '');
    const inUids = (pmid: string) => !uids || (Number(pmid) >= Number(uids[1]) && Number(pmid) <= Number(uids[2]));
    const dateOf: ((r: CorpusRecord) => string) | undefined =
      params.datetype === 'crdt' ? (r) => r.crdt ?? r.edat : params.datetype === 'edat' ? (r) => r.edat : undefined;
    if (!dateOf) return send(200, `<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><ERROR>fake: datetype ${escapeXml(params.datetype ?? '(none)')} not served</ERROR></eSearchResult>`);
    const found = (pmid: string) => !opts.foundBy?.[pmid] || (params.term ?? '').includes(opts.foundBy[pmid]!);
    const hits = opts.records.filter((r) => dateOf(r) >= from && dateOf(r) <= to && inUids(r.pmid) && found(r.pmid));
    const webEnv = `MCID_fake${histories.size + 1}`;
    histories.set(webEnv, { pmids: hits });
    const retmax = Number(params.retmax ?? 20);
    const ids = hits.slice(0, Math.min(retmax, cap)).map((r) => `<Id>${r.pmid}</Id>`).join('');
    send(
      200,
      `<?xml version="1.0" encoding="UTF-8" ?>\n<eSearchResult><Count>${hits.length}</Count><RetMax>${Math.min(retmax, hits.length)}</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>${webEnv}</WebEnv><IdList>${ids}</IdList><TranslationSet/><QueryTranslation>${escapeXml(params.term ?? '')}</QueryTranslation>${
        opts.phraseNotFound ? `<WarningList><PhraseNotFound>${escapeXml(opts.phraseNotFound)}</PhraseNotFound></WarningList>` : ''
      }</eSearchResult>`,
    );
  }

  function efetch(
    params: Record<string, string>,
    res: ServerResponse,
    entry: LoggedRequest,
    send: (s: number, b: string) => void,
  ): void {
    efetchCount++;
    let records: CorpusRecord[];
    if (params.id) {
      const wanted = new Set(params.id.split(','));
      records = opts.records.filter((r) => wanted.has(r.pmid));
    } else {
      const history = histories.get(params.WebEnv ?? '');
      if (!history || params.query_key !== '1') {
        return send(200, '<?xml version="1.0" ?>\n<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>');
      }
      const retstart = Number(params.retstart ?? 0);
      if (retstart >= cap) {
        // shaped after NCBI's answer when paging past the PubMed cap (biopython#4189)
        return send(200, `<?xml version="1.0" ?>\n<eFetchResult><ERROR>Search Backend failed: Exception:\nPosition ${retstart} is out of acceptable range [${cap},${cap - 1}]</ERROR></eFetchResult>`);
      }
      records = history.pmids.slice(retstart, Math.min(retstart + Number(params.retmax ?? 20), cap)).filter((r) => !withdrawn.has(r.pmid));
    }
    if (opts.pageEvery && efetchCount % opts.pageEvery === 0) {
      return send(200, '<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body><h1>Temporarily unavailable</h1></body></html>');
    }
    if (opts.pageEvery && efetchCount % opts.pageEvery === 1 && efetchCount > 1) records = [];
    const body = EFETCH_HEADER + records.map((r) => r.xml).join('\n') + '\n' + EFETCH_FOOTER;
    if (opts.truncateEvery && efetchCount % opts.truncateEvery === 0) {
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'text/xml; charset=UTF-8' });
      res.end(body.slice(0, Math.floor(body.length / 2)));
      return;
    }
    send(200, body);
  }

  return { ...(await listen(server, '/entrez/eutils')), log };
}


function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
