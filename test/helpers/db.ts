import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { withDatabase } from './services.js';

export interface TestDatabase {
  url: string;
  database: Database;
  /** Plain SQL with parameters, for assertions. */
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh database cloned from the migrated template: each test file gets its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lr_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const template = inject('pgTemplate');
  await admin(async (c) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`create database "${name}" template "${template}"`);
        return;
      } catch (err) {
        // Two files cloning at the same moment can see each other on the template; retry.
        if (attempt >= 20 || !/being accessed by other users/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
  const url = withDatabase(inject('pgAdminUrl'), name);
  const database = await openDatabase({ DATABASE_URL: url, dataDir: '' });
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle client that `drop ... with (force)` terminates (57P01) must not become an unhandled error.
  pool.on('error', () => undefined);
  return {
    url,
    database,
    query: async (text, params) => (await pool.query(text, params)).rows,
    drop: async () => {
      await Promise.all([database.close(), pool.end()]);
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}
