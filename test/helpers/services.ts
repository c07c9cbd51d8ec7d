/**
 * Finds PostgreSQL and Redis for the tests: DATABASE_URL / REDIS_URL, else the loopback defaults;
 * where neither answers, starts throwaway servers from local binaries (initdb/pg_ctl,
 * redis-server); else fails saying what to install or start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The same server, another database. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface Started {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function pgReachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, 'bin', 'initdb'))) return join(base, v, 'bin');
  }
  const which = spawnSync('which', ['initdb'], { encoding: 'utf8' });
  return which.status === 0 ? join(which.stdout.trim(), '..') : undefined;
}

export async function ensurePostgres(): Promise<Started> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await pgReachable(url)) return { url, stop: async () => {} };
  const bin = pgBinDir();
  if (!bin) {
    throw new Error(
      `PostgreSQL is not reachable at ${url} and initdb was not found: start PostgreSQL ` +
        `(e.g. pg_ctlcluster <version> main start) or install it (apt-get install postgresql)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'lr-pg-'));
  const port = await freePort();
  // initdb refuses to run as root; run as the postgres user when we are root.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asUser.length) spawnSync('chown', ['postgres', dir]);
  const run = (cmd: string, args: string[]) => {
    const r = spawnSync(asUser[0] ?? join(bin, cmd), asUser.length ? [...asUser.slice(1), join(bin, cmd), ...args] : args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  run('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
  run('pg_ctl', ['-D', join(dir, 'data'), '-o', `-p ${port} -k ${dir} -c fsync=off -c listen_addresses=127.0.0.1`, '-w', 'start', '-l', join(dir, 'log')]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      run('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function redisReachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('error', () => done(false));
    sock.connect(Number(u.port || 6379), u.hostname, () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

export async function ensureRedis(): Promise<Started> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisReachable(url)) return { url, stop: async () => {} };
  const which = spawnSync('which', ['redis-server'], { encoding: 'utf8' });
  if (which.status !== 0) {
    throw new Error(
      `Redis is not reachable at ${url} and redis-server was not found: start Redis or install it (apt-get install redis-server)`,
    );
  }
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  const started = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisReachable(started)); i++) await new Promise((r) => setTimeout(r, 100));
  return { url: started, stop: async () => void proc.kill('SIGKILL') };
}
