import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { PermanentError, RetryableError } from '../errors.js';
import { lockDataDir } from './pglite-lock.js';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
/** The one repository-facing type: both drivers are a PgDatabase over the same schema. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly db: Db;
  readonly kind: DatabaseKind;
  /** Where it lives, for messages: host:port/db or the PGlite directory. */
  readonly location: string;
  /** Runs `fn` on one connection holding a session-level advisory lock. */
  withAdvisoryLock<T>(key: bigint, fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  DATABASE_URL?: string | undefined;
  dataDir: string;
}

function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

async function openPostgres(url: string): Promise<Database> {
  const location = describeUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  // Nor may a checked-out one (a transaction between statements): pg-pool listens on idle clients
  // only, and the loss reaches the transaction anyway, through its next statement.
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    const c = await pool.connect();
    c.release();
  } catch (err) {
    await pool.end().catch(() => {});
    const code = (err as { code?: string }).code;
    // A socket error's code says it all (ECONNREFUSED); the server's own answer is in its message.
    const server = code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E');
    const msg = `cannot connect to PostgreSQL at ${location} (${server ? `${(err as Error).message}, ${code}` : (code ?? (err as Error).message)})`;
    // No such database, role or password: trying again cannot help.
    throw code === '3D000' || code?.startsWith('28') ? new PermanentError(msg) : new RetryableError(msg);
  }
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    location,
    withAdvisoryLock: (key, fn) => withSessionLock(db, key, fn),
    close: () => pool.end(),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  const dir = join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const lock = lockDataDir(dir, process.argv.slice(1).join(' ').slice(0, 200));
  let client: PGlite;
  try {
    client = await PGlite.create(dir, { extensions: { pg_trgm } });
  } catch (err) {
    lock.release();
    throw err;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location: dir,
    withAdvisoryLock: (key, fn) => withSessionLock(db, key, fn),
    close: async () => {
      try {
        await client.close();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * Runs `fn` on one connection of `db` that holds a session-level advisory lock until `fn` settles.
 * Postgres drops the lock if the process dies, which is what makes it proof of a live owner.
 * A pool lends `fn` a connection of its own; a `Db` already bound to one connection (one that a
 * lock holder was given) locks that connection. PGlite is one connection in one process: nothing
 * else can race for the lock, so there is nothing to hold.
 */
export async function withSessionLock<T>(db: Db, key: bigint, fn: (db: Db) => Promise<T>): Promise<T> {
  const client: unknown = (db as { $client?: unknown }).$client;
  if (client instanceof PGlite) return fn(db);
  if (client instanceof pg.Pool) {
    const conn = await client.connect();
    // The pool listens for errors of idle clients only. A lent one whose backend is terminated (a
    // Postgres restart, pg_terminate_backend) emits 'error', which unheard would crash the process;
    // the query in flight rejects with it anyway, so `fn` fails like any lost connection.
    let broken: Error | undefined;
    const onError = (err: Error) => void (broken ??= err);
    conn.on('error', onError);
    try {
      return await holding(conn, key, () => fn(drizzlePg({ client: conn, schema }) as unknown as Db), (err) => void (broken ??= err));
    } finally {
      conn.off('error', onError);
      // A broken connection, or one whose unlock failed, is closed: that drops its lock too.
      conn.release(broken);
    }
  }
  // Unlocking fails only on a broken connection, whose owner (the pool branch above) closes it.
  if (client instanceof pg.Client) return holding(client, key, () => fn(db), () => undefined);
  // A transaction or a foreign client: its connection cannot be told, so no lock can be promised.
  throw new Error('withSessionLock: needs a database opened by openDatabase');
}

/** Runs `fn` holding the lock; an unlock that fails goes to `unlockFailed`, not over fn's own outcome. */
async function holding<T>(conn: pg.ClientBase, key: bigint, fn: () => Promise<T>, unlockFailed: (err: Error) => void): Promise<T> {
  await conn.query('select pg_advisory_lock($1)', [key.toString()]);
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await conn.query('select pg_advisory_unlock($1)', [key.toString()]).catch(unlockFailed);
    throw err;
  }
  await conn.query('select pg_advisory_unlock($1)', [key.toString()]).catch(unlockFailed);
  return result;
}

/** Rows of a raw query; both drivers return them under `rows`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = await db.execute(query);
  return (res as unknown as { rows?: T[] }).rows ?? [];
}

/** The next `n` ids of a table's serial id, before any row exists (e.g. to derive keys from them). */
export async function reserveIds(db: Db, table: string, n = 1): Promise<number[]> {
  const rows = await queryRows<{ id: string }>(db, sql`select nextval(pg_get_serial_sequence(${table}, 'id'))::text as id from generate_series(1, ${n})`);
  return rows.map((r) => Number(r.id));
}

export async function reserveId(db: Db, table: string): Promise<number> {
  return (await reserveIds(db, table, 1))[0]!;
}

/** Takes a transaction-scoped advisory lock when free; false when another session holds it. */
export async function tryXactLock(tx: Db, key: bigint): Promise<boolean> {
  const [row] = await queryRows<{ free: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${key.toString()}::bigint) as free`);
  return row!.free;
}

/** Postgres when DATABASE_URL is set, else the embedded PGlite default in $LR_DATA_DIR/pglite. */
export function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return opts.DATABASE_URL ? openPostgres(opts.DATABASE_URL) : openPglite(opts.dataDir);
}
