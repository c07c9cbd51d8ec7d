import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { ConfigError } from '../errors.js';
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

/** Creation times (drizzle's `when`, stored as created_at) of the migrations this code ships. */
function shippedMigrations(): Set<number> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return new Set(journal.entries.map((e) => e.when));
}

/**
 * Refuses a database that a newer living-review migrated: this code would read and write a schema
 * it does not know (an older digest filter would take a newer status for "sent" and hide works).
 */
async function refuseNewerSchema(database: Database, applied: number): Promise<void> {
  if (applied === 0) return;
  const shipped = shippedMigrations();
  const rows = await queryRows<{ created_at: string | number }>(database.db, sql`select created_at from drizzle.__drizzle_migrations order by created_at`);
  const unknown = rows.map((r) => Number(r.created_at)).filter((when) => !shipped.has(when));
  if (unknown.length > 0) {
    throw new ConfigError(
      `the database holds ${unknown.length} migration(s) this living-review does not ship (the first dated ${Number.isFinite(unknown[0]) && unknown[0]! > 0 ? new Date(unknown[0]!).toISOString().slice(0, 10) : 'unknown'}): a newer version migrated it; run that version or upgrade`,
    );
  }
}

/**
 * Applies pending migrations under a Postgres advisory lock, so two processes starting together
 * do not both migrate: the second waits, then finds nothing to do. A database a newer version
 * migrated is refused before anything is done.
 */
export async function migrate(database: Database): Promise<MigrationResult> {
  return database.withAdvisoryLock(MIGRATION_LOCK_KEY, async (db) => {
    const before = await appliedCount(database);
    await refuseNewerSchema(database, before);
    if (database.kind === 'postgres') {
      await migratePg(db as unknown as NodePgDatabase, { migrationsFolder });
    } else {
      await migratePglite(db as unknown as PgliteDatabase, { migrationsFolder });
    }
    const after = await appliedCount(database);
    return { applied: after - before, total: after };
  });
}
