import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeApi {
  url: string;
  /** Every request as it arrived: time (ms) and path. */
  log: { at: number; path: string }[];
  /** From now on, requests get no answer until `release()` (a hung upstream). */
  hold(): void;
  /** Answers the held requests and stops holding. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A tiny bibliographic API: GET /count gives the number of records, GET /records?offset&limit a
 * page of them (PMIDs 100000+i). `delayMs` slows every answer so jobs last long enough to be
 * interrupted; `hold()` keeps answers back until `release()`.
 */
export async function startFakeApi(opts: { total: number; delayMs?: number }): Promise<FakeApi> {
  const log: FakeApi['log'] = [];
  let held: (() => void)[] | undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    log.push({ at: Date.now(), path: url.pathname + url.search });
    const answer = () => setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/count') return void res.end(JSON.stringify({ count: opts.total }));
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      const ids = Array.from({ length: Math.max(0, Math.min(limit, opts.total - offset)) }, (_, i) => 100_000 + offset + i);
      res.end(JSON.stringify(ids.map((id) => ({ pmid: String(id), title: `Peer naloxone study number ${id}` }))));
    }, opts.delayMs ?? 0);
    if (held) held.push(answer);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    hold: () => void (held ??= []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}
