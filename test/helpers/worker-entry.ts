// A real worker process for the tests: the production runWorkerProcess with the real sources (the
// PubMed client against EUTILS_BASE_URL) or, given FAKE_API_URL, the HTTP source double; a digest
// function that writes an audit row; short lock timings from the env; with TEST_HEALTH_PORT, the
// health endpoint (TEST_PROGRESS_MS: its progress timeout).
import pg from 'pg';
import { loadEnv } from '../../src/config/env.js';
import { oneLine } from '../../src/errors.js';
import { runWorkerProcess } from '../../src/queue/process.js';
import { registryProvider } from '../../src/sources/registry.js';
import { httpSourceProvider } from './http-source.js';

const env = process.env;
const num = (v: string | undefined) => (v ? Number(v) : undefined);
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
try {
  await runWorkerProcess({
    sources: env.FAKE_API_URL ? httpSourceProvider(env.FAKE_API_URL) : registryProvider(loadEnv()),
    sendDigests: async (reviewId, period) => {
      await pool.query(`insert into audit_log (review_id, actor, channel, action, entity, entity_id) values ($1, 'test', 'worker', 'digest.sent', 'digest', $2)`, [reviewId, period]);
      return { sent: 1 };
    },
    tuning: {
      lockDuration: num(env.TEST_LOCK_MS),
      stalledInterval: num(env.TEST_STALLED_MS),
      shutdownMs: num(env.TEST_SHUTDOWN_MS),
      digestRecheckMs: 500,
      concurrency: { cycle: 1, search: 1, digest: 1 },
    },
    ...(env.TEST_HEALTH_PORT ? { health: { port: Number(env.TEST_HEALTH_PORT), host: '127.0.0.1', progressTimeoutMs: num(env.TEST_PROGRESS_MS) } } : {}),
  });
} catch (err) {
  // As the CLI does: one line naming the cause.
  process.stderr.write(`living-review: ${oneLine(err)}\n`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
