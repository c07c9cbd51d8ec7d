import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { sql } from 'drizzle-orm';
import { migrationsFolder } from '../paths.js';
import { type Database, queryRows } from './client.js';

/** Advisory-lock key shared by every living-review process ("lrmigrat" as ASCII). */
export const MIGRATION_LOCK_KEY = 0x6c726d6967726174n;

export interface MigrationResult {
  applied: number;
  total: number;
}

async function appliedCount(database: Database): Promise<number> {
  const [table] = await queryRows<{ n: number }>(database.db, sql`
    select count(*)::int as n from information_schema.tables
    where table_schema = 'drizzle' and table_name = '__drizzle_migrations'`);
  if (Number(table?.n ?? 0) === 0) return 0;
  const [counted] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(counted?.n ?? 0);
}

/**
 * Applies pending migrations under a Postgres advisory lock, so two processes starting together
 * do not both migrate: the second waits, then finds nothing to do.
 */
export async function migrate(database: Database): Promise<MigrationResult> {
  return database.withAdvisoryLock(MIGRATION_LOCK_KEY, async (db) => {
    const before = await appliedCount(database);
    if (database.kind === 'postgres') {
      await migratePg(db as unknown as NodePgDatabase, { migrationsFolder });
    } else {
      await migratePglite(db as unknown as PgliteDatabase, { migrationsFolder });
    }
    const after = await appliedCount(database);
    return { applied: after - before, total: after };
  });
}
