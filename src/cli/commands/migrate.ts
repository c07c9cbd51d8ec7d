import { Command } from 'commander';
import { openDatabase } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { loadEnv } from '../../config/env.js';
import { createLogger } from '../../log.js';
import { refreshStaleBlockKeys } from '../../staging/block-keys.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('create or upgrade the schema and rebuild match keys made by an older version; idempotent')
    .action(async () => {
      const env = loadEnv();
      const log = createLogger(env.LOG_LEVEL);
      const database = await openDatabase(env);
      try {
        const { applied, total } = await migrate(database);
        process.stdout.write(
          `${database.location}: ${applied} migration(s) applied, ${total} in total\n`,
        );
        // Here rather than in serve/worker, whose probes would restart them mid-rebuild.
        const rebuilt = await refreshStaleBlockKeys(database.db, log);
        for (const r of rebuilt.filter((x) => x.works > 0)) process.stdout.write(`${r.reviewId}: block keys rebuilt for ${r.works} work(s)\n`);
      } finally {
        await database.close();
      }
    });
}
