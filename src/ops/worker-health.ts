import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { connectRedis } from '../queue/connection.js';
import type { ProgressTracker } from '../queue/liveness.js';
import { closeQueues, openQueues } from '../queue/queues.js';
import { checkWorkerHealth } from './health.js';

export interface WorkerHealthServerOptions {
  db: Db;
  redisUrl: string;
  prefix: string;
  progress: ProgressTracker;
  thresholdMs: number;
  log: Logger;
  port: number;
  host?: string;
}

export interface WorkerHealthServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * GET /healthz of a worker process (`worker --health-port`): 200 or 503 with the JSON of
 * `checkWorkerHealth`. Redis is reached through a fail-fast connection of its own, so a probe
 * reports an outage at once instead of queueing behind the workers' retrying connection.
 */
export async function startWorkerHealthServer(opts: WorkerHealthServerOptions): Promise<WorkerHealthServer> {
  const redis = connectRedis(opts.redisUrl, 'producer');
  const queues = openQueues(redis, opts.prefix);
  let lastStatus = 'ok';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' || path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the worker serves GET /healthz only\n');
      return;
    }
    void checkWorkerHealth({ db: opts.db, redis, queues, progress: opts.progress, thresholdMs: opts.thresholdMs }).then(
      (health) => {
        // Log transitions only: probes come every few seconds.
        if (health.status !== lastStatus) {
          if (health.status === 'ok') opts.log.info('worker healthy again');
          else opts.log.error({ reason: health.reason }, 'worker unhealthy');
          lastStatus = health.status;
        }
        res.writeHead(health.status === 'ok' ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify(health));
      },
      (err: Error) => {
        res.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ status: 'unhealthy', reason: `health check failed: ${err.message}` }));
      },
    );
  });
  const cleanup = async () => {
    await closeQueues(queues).catch(() => {});
    redis.disconnect();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await cleanup();
    throw new Error(`cannot serve the worker health endpoint on port ${opts.port} (${(err as Error).message})`);
  }
  const { address, port } = server.address() as AddressInfo;
  return {
    host: address,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await cleanup();
    },
  };
}
