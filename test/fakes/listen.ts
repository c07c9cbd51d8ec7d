// What every HTTP fake does to go live on a free loopback port and to shut down.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a fake saw it, for assertions on what a client sent. */
export interface LoggedRequest {
  /** performance.now() at arrival. */
  t: number;
  path: string;
  method: string;
  params: Record<string, string>;
  userAgent: string;
  /** The status the fake answered with (0 until it answers). */
  status: number;
}

/** A live fake: where it listens, what it was asked, how to stop it. */
export interface FakeServer extends Listening {
  log: LoggedRequest[];
}

export interface Listening {
  /** http://127.0.0.1:<port> followed by `path`. */
  baseUrl: string;
  close(): Promise<void>;
}

export async function listen(server: Server, path = ''): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** Query string for GET, form body for POST, merged (as NCBI and Europe PMC read them). */
async function readParams(req: IncomingMessage): Promise<Record<string, string>> {
  const params = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  if (req.method === 'POST') {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
  }
  return params;
}

/** A log entry for `req`, answered later by setting its status. */
function logEntry(req: IncomingMessage, params: Record<string, string>, t = performance.now()): LoggedRequest {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  return { t, path, method: req.method ?? 'GET', params, userAgent: String(req.headers['user-agent'] ?? ''), status: 0 };
}

/** One request as a fake's handler sees it: already logged, answered through `reply`. */
export interface Exchange {
  /** performance.now() at arrival. */
  t: number;
  path: string;
  params: Record<string, string>;
  res: ServerResponse;
  entry: LoggedRequest;
  /** Answers and records the status in the log entry. */
  reply(status: number, body: string, headers: Record<string, string>): void;
}

/** A request listener that logs every request before `handle` answers it. */
export function logged(log: LoggedRequest[], handle: (x: Exchange) => void): RequestListener {
  return (req, res) => {
    const t = performance.now();
    void readParams(req).then((params) => {
      const entry = logEntry(req, params, t);
      log.push(entry);
      const reply = (status: number, body: string, headers: Record<string, string>) => {
        entry.status = status;
        res.writeHead(status, headers);
        res.end(body);
      };
      handle({ t, path: entry.path, params, res, entry, reply });
    });
  };
}

/**
 * A `send` for JSON APIs: an object goes out as JSON, a string as `textType` (the plain-text or
 * HTML error pages those APIs answer with).
 */
export function jsonOrText(reply: Exchange['reply'], textType: string) {
  return (status: number, body: unknown, headers: Record<string, string> = {}) =>
    typeof body === 'string'
      ? reply(status, body, { 'content-type': textType, ...headers })
      : reply(status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
}
