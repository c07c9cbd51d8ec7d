import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { errorFields } from '../errors.js';

/**
 * A small router over node:http: the server has a handful of routes, all server-rendered forms,
 * so a framework would add dependencies without removing code. Other parts of the service (health,
 * metrics, dashboard) add their routes to the same app with `route()`.
 */
export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  raw: IncomingMessage;
  /** The urlencoded form body (at most 64 KiB). */
  form(): Promise<URLSearchParams>;
}

export type Handler = (req: Request, res: ServerResponse) => Promise<void> | void;

/** Answers what it recognises (returns true) and leaves the rest to the app's routes. */
export type Mounted = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface App {
  route(method: string, pattern: string, handler: Handler): App;
  /** Handlers tried before the routes, e.g. the ops endpoints and the queue dashboard. */
  mount(handler: Mounted): App;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const MAX_BODY = 64 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk);
  }
  const type = String(req.headers['content-type'] ?? '');
  return type.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : new URLSearchParams();
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers every page carries: links hold capabilities, so no referrer, no caching, no framing. */
export function pageHeaders(extra: Record<string, string> = {}, scriptNonce?: string): Record<string, string> {
  const script = scriptNonce ? ` script-src 'nonce-${scriptNonce}';` : '';
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline';${script} form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    ...extra,
  };
}

export function sendPage(res: ServerResponse, status: number, body: string, opts: { headers?: Record<string, string>; scriptNonce?: string } = {}): void {
  res.writeHead(status, pageHeaders(opts.headers, opts.scriptNonce));
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

function match(route: Route, segments: string[]): Record<string, string> | null {
  if (route.parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const part = route.parts[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return null;
  }
  return params;
}

export function createApp(opts: { log: Logger; errorPage: (status: number, message: string) => string }): App {
  const routes: Route[] = [];
  const mounted: Mounted[] = [];
  const app: App = {
    route(method, pattern, handler) {
      routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
      return app;
    },
    mount(handler) {
      mounted.push(handler);
      return app;
    },
    async handle(raw, res) {
      for (const m of mounted) {
        try {
          if (await m(raw, res)) return;
        } catch (err) {
          opts.log.error(errorFields(err), 'request failed');
          if (!res.headersSent) sendPage(res, 500, opts.errorPage(500, 'Something went wrong on our side. Please try again later.'));
          else res.end();
          return;
        }
      }
      const url = new URL(raw.url ?? '/', 'http://localhost');
      const segments = url.pathname.split('/').filter(Boolean);
      // HEAD is answered as GET without a body, never as an action.
      const method = raw.method === 'HEAD' ? 'GET' : (raw.method ?? 'GET');
      const candidates = routes.map((r) => ({ r, params: match(r, segments) })).filter((c) => c.params);
      const found = candidates.find((c) => c.r.method === method);
      try {
        if (!found) {
          if (candidates.length) throw new HttpError(405, 'Method not allowed');
          throw new HttpError(404, 'Not found');
        }
        await found.r.handler({ method, path: url.pathname, params: found.params!, raw, form: () => readForm(raw) }, res);
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        // The path holds a token: log the route pattern, never the path.
        if (status >= 500) opts.log.error({ route: found?.r.parts.join('/'), ...errorFields(err) }, 'request failed');
        if (!res.headersSent) sendPage(res, status, opts.errorPage(status, status >= 500 ? 'Something went wrong on our side. Please try again later.' : (err as Error).message));
        else res.end();
      }
    },
  };
  return app;
}

export function listen(app: App, port: number, host = '0.0.0.0'): Promise<Server> {
  const server = createHttpServer((req, res) => void app.handle(req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
