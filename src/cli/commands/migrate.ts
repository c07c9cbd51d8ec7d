import { Command } from 'commander';
import { openDatabase } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import { loadEnv } from '../../config/env.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('create or upgrade the schema; nothing else; idempotent')
    .action(async () => {
      const env = loadEnv();
      const database = await openDatabase(env);
      try {
        const { applied, total } = await migrate(database);
        process.stdout.write(
          `${database.location}: ${applied} migration(s) applied, ${total} in total\n`,
        );
      } finally {
        await database.close();
      }
    });
}
