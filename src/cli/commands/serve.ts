import { Command } from 'commander';
import { requireSecret } from '../../config/secret.js';
import { loadContext, openDbContext } from '../../context.js';
import { opsRoutes } from '../../ops/routes.js';
import { connectRedis, waitReady } from '../../queue/connection.js';
import { closeQueues, openQueues } from '../../queue/queues.js';
import { listen } from '../../web/app.js';
import { createTriageApp } from '../../web/triage.js';
import { port } from '../options.js';

export function serveCommand(): Command {
  return new Command('serve')
    .description('HTTP server: triage pages, signed-link actions, GET /healthz, GET /metrics, queue dashboard at /admin/queues')
    .option('--port <n>', 'port to listen on', port, 3000)
    .action(async (opts: { port: number }) => {
      const base = loadContext();
      const secret = requireSecret(base.env);
      const ctx = await openDbContext(base);
      const redis = connectRedis(base.env.REDIS_URL, 'producer');
      // Serve even while Redis is down: /healthz is there to say so.
      await waitReady(redis, 5_000).catch((err: Error) => base.log.warn({ err: err.message }, 'Redis not reachable yet'));
      const queues = openQueues(redis, base.env.QUEUE_PREFIX);
      const app = createTriageApp({ db: ctx.database.db, secret, publicUrl: ctx.env.PUBLIC_URL, protocols: ctx.protocols, log: ctx.log });
      app.mount(
        opsRoutes({
          db: ctx.database.db,
          redis,
          queues,
          prefix: base.env.QUEUE_PREFIX,
          dashboard: { token: base.env.DASHBOARD_TOKEN, user: base.env.DASHBOARD_USER, password: base.env.DASHBOARD_PASSWORD },
          log: base.log,
          protocols: ctx.protocols,
        }),
      );
      const server = await listen(app, opts.port);
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : opts.port;
      ctx.log.info({ port: bound }, 'listening');
      process.stdout.write(`listening on port ${bound}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGTERM', stop).once('SIGINT', stop);
        server.closeIdleConnections();
      });
      await closeQueues(queues);
      redis.disconnect();
      await ctx.close();
    });
}
