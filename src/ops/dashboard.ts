import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express from 'express';
import type { Queue } from 'bullmq';

export interface DashboardAuth {
  token?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
}

export const DASHBOARD_PATH = '/admin/queues';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Bearer token or basic auth, whichever is configured, compared in constant time. */
export function authorized(req: IncomingMessage, auth: DashboardAuth): boolean {
  const header = req.headers.authorization ?? '';
  if (auth.token && header.startsWith('Bearer ')) return same(header.slice(7), auth.token);
  if (auth.user && auth.password && header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i > 0 && same(decoded.slice(0, i), auth.user) && same(decoded.slice(i + 1), auth.password);
  }
  return false;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A request another site's page made. Fetch metadata decides where the browser sends it (every
 * current one does): behind a proxy that rewrites Host, Origin never matches it. Without it, an
 * Origin that is not this host.
 */
export function crossSite(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return origin === 'null' || new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export function dashboardEnabled(auth: DashboardAuth): boolean {
  return Boolean(auth.token || (auth.user && auth.password));
}

/** bull-board through its Express adapter; an Express app is a plain node:http request listener. */
export function createDashboard(queues: Queue[], auth: DashboardAuth): RequestListener {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  const app = express();
  app.disable('x-powered-by');
  app.use(DASHBOARD_PATH, (req, res, next) => {
    // The browser resends basic-auth credentials on any site's form posts, and would show these
    // pages framed by another site: only same-origin requests may change anything.
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "frame-ancestors 'none'");
    if (!SAFE_METHODS.has(req.method) && crossSite(req)) {
      res.status(403).type('text/plain').send('cross-site request refused\n');
      return;
    }
    if (authorized(req, auth)) return next();
    // Basic makes a browser ask for a user and password: only worth it when one is configured.
    const basic = auth.user && auth.password;
    res.setHeader('www-authenticate', basic ? 'Basic realm="living-review queues", charset="UTF-8"' : 'Bearer realm="living-review queues"');
    res.status(401).type('text/plain').send('authentication required\n');
  });
  app.use(DASHBOARD_PATH, adapter.getRouter());
  return app as unknown as RequestListener;
}
