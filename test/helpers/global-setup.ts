import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { migrationsFolder } from '../../src/paths.js';
import { ensurePostgres, ensureRedis, withDatabase } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    redisUrl: string;
  }
}

/** Migrates one template database per migration set; each test file clones it. */
export default async function setup(project: TestProject) {
  const [pgServer, redis] = await Promise.all([ensurePostgres(), ensureRedis()]);
  const hash = createHash('sha256');
  for (const f of readdirSync(migrationsFolder).filter((f) => f.endsWith('.sql')).sort()) {
    hash.update(readFileSync(join(migrationsFolder, f)));
  }
  const template = `lr_template_${hash.digest('hex').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: pgServer.url });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
  if (exists.rowCount === 0) {
    await admin.query(`create database "${template}_tmp"`).catch(async () => {
      await admin.query(`drop database "${template}_tmp" with (force)`);
      await admin.query(`create database "${template}_tmp"`);
    });
    const database = await openDatabase({ DATABASE_URL: withDatabase(pgServer.url, `${template}_tmp`), dataDir: '' });
    await migrate(database);
    await database.close();
    // Renamed only once complete, so a crashed setup never leaves a half-migrated template.
    await admin.query(`alter database "${template}_tmp" rename to "${template}"`);
  }
  await admin.end();
  project.provide('pgAdminUrl', pgServer.url);
  project.provide('pgTemplate', template);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([pgServer.stop(), redis.stop()]);
  };
}
