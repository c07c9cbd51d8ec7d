import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (holds package.json, drizzle/, config/), from src/ or from dist/src/. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('living-review: package.json not found above ' + dir);
    dir = parent;
  }
  return dir;
})();

export const migrationsFolder = join(packageRoot, 'drizzle');
