#!/usr/bin/env node
// Runs the compiled CLI (npm install builds it through the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('living-review: dist/ is missing; run `npm run build` (npm install runs it)\n');
  process.exit(1);
}
await import(entry.href);
