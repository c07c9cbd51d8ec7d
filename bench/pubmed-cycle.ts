// Child process of pubmed-parse.bench.ts: the full cycle, fake E-utilities (another process) ->
// EutilsClient -> parser -> staging in a throwaway Postgres database. The limiter is opened up
// because the fake is local; politeness is tested elsewhere.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { loadProtocol } from '../src/config/protocol.js';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { syncProtocol } from '../src/db/queries/reviews.js';
import { createLogger } from '../src/log.js';
import { packageRoot } from '../src/paths.js';
import { runCycle } from '../src/runs/cycle.js';
import { createRateLimiter } from '../src/sources/http/rate-limiter.js';
import { createPubmedSource } from '../src/sources/pubmed/source.js';

const [dir, n] = [process.argv[2]!, process.argv[3]!];
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lr_bench_cycle_${process.pid}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database "${name}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;

const server = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'bench/fake-eutils-serve.ts'), dir, n], { stdio: ['pipe', 'pipe', 'inherit'] });
const [baseUrl] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
const database = await openDatabase({ DATABASE_URL: url.toString(), dataDir: '' });
try {
  await migrate(database);
  const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
  await syncProtocol(database.db, protocol);
  const source = createPubmedSource({ baseUrl, tool: 'living-review-bench', rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }) });
  const t0 = performance.now();
  const result = await runCycle({ db: database.db, protocol, sources: [source], from: '2024-01-01', to: '2024-03-31', trigger: 'cli', log: createLogger('silent') });
  const seconds = (performance.now() - t0) / 1000;
  const s = result.sources[0]!;
  if (s.status !== 'ok') throw new Error(`cycle failed: ${s.error}`);
  console.log(JSON.stringify({ identified: s.identified, fetched: s.fetched, staged: result.staged, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
} finally {
  server.stdin!.end();
  await database.close();
  await admin.query(`drop database "${name}" with (force)`);
  await admin.end();
}
