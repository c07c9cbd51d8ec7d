import { createServer } from 'node:http';
import { Command } from 'commander';
import { loadContext, openDbContext } from '../../context.js';
import { connectRedis, waitReady } from '../../queue/connection.js';
import { closeQueues, openQueues } from '../../queue/queues.js';
import { opsRoutes } from '../../ops/routes.js';

/** Minimal `serve`: the ops routes only; the triage pages are mounted beside them on merge. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('HTTP server: /healthz, /metrics (Prometheus), queue dashboard at /admin/queues')
    .option('--port <n>', 'port to listen on', (v) => Number(v), 3000)
    .action(async (opts: { port: number }) => {
      const app = loadContext();
      const ctx = await openDbContext(app);
      const redis = connectRedis(app.env.REDIS_URL, 'producer');
      // Serve even while Redis is down: /healthz is there to say so.
      await waitReady(redis, 5_000).catch((err: Error) => app.log.warn({ err: err.message }, 'Redis not reachable yet'));
      const queues = openQueues(redis, app.env.QUEUE_PREFIX);
      const ops = opsRoutes({
        db: ctx.database.db,
        redis,
        queues,
        prefix: app.env.QUEUE_PREFIX,
        dashboard: { token: app.env.DASHBOARD_TOKEN, user: app.env.DASHBOARD_USER, password: app.env.DASHBOARD_PASSWORD },
        log: app.log,
      });
      const server = createServer((req, res) => {
        ops(req, res)
          .then((handled) => {
            if (handled) return;
            res.writeHead(404, { 'content-type': 'text/plain' });
            res.end('not found\n');
          })
          .catch((err: Error) => {
            app.log.error({ err: err.message, url: req.url }, 'request failed');
            if (!res.headersSent) res.writeHead(500);
            res.end();
          });
      });
      await new Promise<void>((resolve) => server.listen(opts.port, resolve));
      app.log.info({ port: opts.port }, 'serving');
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGTERM', stop).once('SIGINT', stop);
      });
      await closeQueues(queues);
      redis.disconnect();
      await ctx.close();
    });
}
