import { loadEnv, type AppEnv } from './config/env.js';
import { loadProtocols, protocolPaths, selectProtocol, type Protocol } from './config/protocol.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { syncProtocol } from './db/queries/reviews.js';
import { createLogger, type Logger } from './log.js';
import { announceRebuild, refreshBlockKeys } from './staging/block-keys.js';
import { packageRoot } from './paths.js';

/**
 * What every entry point builds first: validated configuration, a logger and, when the command
 * touches the database, a migrated database with the protocols registered.
 */
export interface AppContext {
  env: AppEnv;
  protocols: Protocol[];
  log: Logger;
  /** Picks the protocol for `--review`, or the only one configured. */
  protocol(id?: string): Protocol;
}

export interface DbContext extends AppContext {
  database: Database;
  close(): Promise<void>;
}

export function loadContext(processEnv: NodeJS.ProcessEnv = process.env): AppContext {
  const env = loadEnv(processEnv);
  const protocols = loadProtocols(protocolPaths(env.REVIEW_CONFIG, packageRoot));
  const log = createLogger(env.LOG_LEVEL);
  return { env, protocols, log, protocol: (id) => selectProtocol(protocols, id) };
}

/** Opens the database, applies pending migrations (advisory-locked) and registers protocols. */
export async function openDbContext(ctx: AppContext): Promise<DbContext> {
  const database = await openDatabase(ctx.env);
  try {
    const result = await migrate(database);
    if (result.applied > 0) ctx.log.info({ ...result, db: database.location }, 'migrations applied');
    for (const p of ctx.protocols) {
      await syncProtocol(database.db, p);
      // After an upgrade (whoever ran the migrations), match keys made by older code are rebuilt.
      const indexed = await refreshBlockKeys(database.db, p.id, { onRebuild: announceRebuild(ctx.log, p.id) });
      if (indexed > 0) ctx.log.info({ review: p.id, works: indexed }, 'block keys rebuilt');
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  return { ...ctx, database, close: () => database.close() };
}
