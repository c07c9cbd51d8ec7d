import { Command, InvalidArgumentError } from 'commander';
import { requireSecret } from '../../config/secret.js';
import { loadContext, openDbContext } from '../../context.js';
import { createServer } from '../../web/triage.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0-65535');
  return n;
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('HTTP server: triage pages and signed-link actions')
    .option('--port <n>', 'port to listen on', port, 3000)
    .action(async (opts: { port: number }) => {
      const base = loadContext();
      const secret = requireSecret(base.env);
      const ctx = await openDbContext(base);
      const { server } = await createServer({ db: ctx.database.db, secret, publicUrl: ctx.env.PUBLIC_URL, protocols: ctx.protocols, log: ctx.log, port: opts.port });
      const address = server.address();
      ctx.log.info({ port: typeof address === 'object' && address ? address.port : opts.port }, 'listening');
      process.stdout.write(`listening on port ${typeof address === 'object' && address ? address.port : opts.port}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => server.close(() => resolve());
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await ctx.close();
    });
}
