// A database connection lost in the middle of queries: each query fails with its error, and
// nothing is left to crash the process as an unhandled 'error' event.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

let t: TestDatabase;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let database: Database;
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown) => unhandled.push(err);

beforeAll(async () => {
  t = await createTestDatabase();
  const target = new URL(t.url);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  target.host = `127.0.0.1:${proxy.port}`;
  database = await openDatabase({ DATABASE_URL: target.toString(), dataDir: '' });
  process.on('uncaughtException', onUnhandled);
});
afterAll(async () => {
  process.off('uncaughtException', onUnhandled);
  await database.close().catch(() => {});
  await t.drop();
});

describe('a lost database connection', () => {
  it('fails the queries and transactions in flight, each with its error, and crashes nothing', async () => {
    const inFlight = Array.from({ length: 4 }, () => database.db.execute(sql`select pg_sleep(3)`).then(() => 'ok', (e: Error) => e.message));
    // A transaction's client is checked out between its statements: the loss reaches it as an event.
    const transactions = Array.from({ length: 4 }, () =>
      database.db
        .transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await new Promise((r) => setTimeout(r, 1500));
          await tx.execute(sql`select 1`);
        })
        .then(() => 'ok', (e: Error) => e.message),
    );
    inFlight.push(...transactions);
    await new Promise((r) => setTimeout(r, 500));
    await proxy.cut();
    const outcomes = await Promise.all(inFlight);
    expect(outcomes.every((o) => o !== 'ok')).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(unhandled).toEqual([]);
    await proxy.heal();
    // The pool reconnects for the next query.
    expect(((await database.db.execute(sql`select 1 as n`)) as unknown as { rows: { n: number }[] }).rows).toEqual([{ n: 1 }]);
  });
});
