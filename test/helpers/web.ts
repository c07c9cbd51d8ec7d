import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { TEST_SECRET } from '../../src/config/secret.js';
import type { DbContext } from '../../src/context.js';
import { createServer } from '../../src/web/triage.js';

export interface TestServer {
  base: string;
  /** Everything the server logged, to check that no token leaks. */
  logs: string[];
  close(): Promise<void>;
}

export async function startTriage(ctx: DbContext, port = 0): Promise<TestServer> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const { server } = await createServer({
    db: ctx.database.db,
    secret: TEST_SECRET,
    publicUrl: ctx.env.PUBLIC_URL,
    protocols: ctx.protocols,
    log: pino({ level: 'debug' }, sink),
    port,
    host: '127.0.0.1',
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    logs,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The same path on the test server (digest links point at PUBLIC_URL). */
export const onServer = (server: TestServer, link: string) => server.base + new URL(link).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
