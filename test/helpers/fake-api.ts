import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeApi {
  url: string;
  /** Every request as it arrived: time (ms) and path. */
  log: { at: number; path: string }[];
  close(): Promise<void>;
}

/**
 * A tiny bibliographic API: GET /count gives the number of records, GET /records?offset&limit a
 * page of them (PMIDs 100000+i). `delayMs` slows every answer so jobs last long enough to be
 * interrupted.
 */
export async function startFakeApi(opts: { total: number; delayMs?: number }): Promise<FakeApi> {
  const log: FakeApi['log'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push({ at: Date.now(), path: url.pathname + url.search });
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/count') return void res.end(JSON.stringify({ count: opts.total }));
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      const ids = Array.from({ length: Math.max(0, Math.min(limit, opts.total - offset)) }, (_, i) => 100_000 + offset + i);
      res.end(JSON.stringify(ids.map((id) => ({ pmid: String(id), title: `Peer naloxone study number ${id}` }))));
    }, opts.delayMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
