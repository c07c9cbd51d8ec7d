import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { ALL_QUEUES } from '../queue/catalogue.js';
import type { Queues } from '../queue/queues.js';
import { createCounterStore } from './counters.js';
import { DASHBOARD_PATH, createDashboard, dashboardEnabled, type DashboardAuth } from './dashboard.js';
import { checkHealth } from './health.js';
import { createMetricsRegistry } from './metrics.js';

export interface OpsDeps {
  db: Db;
  /** A fail-fast (producer) connection: health must report Redis down, not hang on it. */
  redis: Redis;
  queues: Queues;
  prefix: string;
  dashboard: DashboardAuth;
  log: Logger;
  /** For the schedule staleness metrics (see MetricsDeps). */
  protocols?: Protocol[];
}

/** Handles the request if it is an ops route and resolves true; false lets the caller go on. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/**
 * GET /healthz, GET /metrics and the queue dashboard under /admin/queues, mountable in any
 * node:http server. The dashboard exists only when credentials are configured.
 */
export function opsRoutes(deps: OpsDeps): OpsHandler {
  const registry = createMetricsRegistry({
    db: deps.db,
    queues: deps.queues,
    counters: createCounterStore(deps.redis, deps.prefix),
    ...(deps.protocols ? { protocols: deps.protocols } : {}),
    // A store down shows as living_review_store_up 0; any other cause is a bug worth a log line.
    onCollectError: (metric, err) => deps.log.warn({ metric, err: (err as Error).message }, 'metric left out of the scrape'),
  });
  const dashboard = dashboardEnabled(deps.dashboard) ? createDashboard(ALL_QUEUES.map((n) => deps.queues[n]), deps.dashboard) : undefined;
  if (!dashboard) deps.log.info('queue dashboard disabled: set DASHBOARD_TOKEN or DASHBOARD_USER and DASHBOARD_PASSWORD');
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') {
      const health = await checkHealth(deps);
      res.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(health));
      return true;
    }
    if (req.method === 'GET' && path === '/metrics') {
      try {
        const text = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      } catch (err) {
        deps.log.warn({ err: (err as Error).message }, 'metrics collection failed');
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('metrics unavailable: a store did not answer\n');
      }
      return true;
    }
    if (path === DASHBOARD_PATH || path.startsWith(`${DASHBOARD_PATH}/`)) {
      if (!dashboard) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('queue dashboard disabled: no credentials configured\n');
        return true;
      }
      dashboard(req, res);
      return true;
    }
    return false;
  };
}
