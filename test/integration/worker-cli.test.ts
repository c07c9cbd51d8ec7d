// The operator's path through the real CLI: `worker` in a child process with the real PubMed
// source against the E-utilities fake, `run --enqueue` with and without --wait, and `status`.
import { type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { cliResult, runCli, spawnCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/services.js';
import { randomPrefix } from '../helpers/workers.js';
import { startFakeEutils, type FakeEutils } from '../fakes/eutils-server.js';
import { cloneCorpus, extractArticles } from '../fakes/pubmed-corpus.js';

const TEMPLATES = extractArticles(readFileSync(join(packageRoot, 'test/fixtures/pubmed/handmade_notice_markup_book.xml'), 'utf8'));

describe('worker and run --enqueue through the CLI', () => {
  let t: TestDatabase;
  let fake: FakeEutils;
  let worker: ChildProcess;
  let workerLog = '';
  let env: Record<string, string>;
  let healthPort: number;

  beforeAll(async () => {
    t = await createTestDatabase();
    fake = await startFakeEutils({ records: cloneCorpus({ templates: TEMPLATES, n: 40, from: '2022-06-01', to: '2022-06-30' }), rateLimitPerSecond: 3 });
    env = { DATABASE_URL: t.url, REDIS_URL: inject('redisUrl'), EUTILS_BASE_URL: fake.baseUrl, QUEUE_PREFIX: randomPrefix() };
    healthPort = await freePort();
    const args = ['worker', '--shutdown-timeout', '5000', '--health-port', String(healthPort), '--health-host', '127.0.0.1', '--progress-timeout', '60000'];
    worker = spawnCli(args, { ...env, LOG_LEVEL: 'info' }, ['ignore', 'ignore', 'pipe']);
    await new Promise<void>((resolve, reject) => {
      worker.stderr!.on('data', (d) => {
        workerLog += d;
        if (workerLog.includes('"health endpoint listening"')) resolve();
      });
      worker.once('exit', (code) => reject(new Error(`worker exited ${code}: ${workerLog}`)));
    });
  });
  afterAll(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await fake.close();
    await t.drop();
  });

  it('carries out an enqueued cycle and reports it like --once', async () => {
    const r = await runCli(['run', '--enqueue', '--wait', '--json', '--sources', 'pubmed', '--from', '2022-06-01', '--to', '2022-06-30'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.review).toBe('peer-support-overdose');
    expect(out.sources[0]).toMatchObject({ source: 'pubmed', status: 'ok', identified: 40, fetched: 40, new: 40, duplicates: 0 });
    expect(out.staged).toBe(40);
    // Every line the worker logged about the job names the review and the job.
    const jobLines = workerLog.split('\n').filter((l) => l.includes('"search finished"'));
    expect(jobLines.length).toBeGreaterThan(0);
    for (const l of jobLines) expect(JSON.parse(l)).toMatchObject({ review: 'peer-support-overdose', source: 'pubmed', jobId: expect.any(String) });
  });

  it('prints the job id without --wait, and status shows queue state and schedules', async () => {
    const r = await runCli(['run', '--enqueue', '--sources', 'pubmed', '--from', '2022-06-01', '--to', '2022-06-30'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/search-peer-support-overdose-pubmed/);
    const s = await runCli(['status', '--json'], env);
    expect(s.code, s.stderr).toBe(0);
    const status = JSON.parse(s.stdout);
    expect(status.queues.reachable).toBe(true);
    expect(JSON.stringify(status.queues)).toMatch(/search/);
  });

  it('serves the worker health endpoint on --health-host and --health-port with the --progress-timeout given', async () => {
    const listening = workerLog.split('\n').find((l) => l.includes('"health endpoint listening"'))!;
    expect(JSON.parse(listening)).toMatchObject({ host: '127.0.0.1', port: healthPort });
    const res = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'ok',
      checks: { postgres: { status: 'ok' }, redis: { status: 'ok' }, progress: { status: 'ok', thresholdMs: 60_000 } },
    });
  });

  it('refuses --progress-timeout or --health-host without --health-port, and a bad port, in one line', async () => {
    const r = await runCli(['worker', '--progress-timeout', '1000'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('living-review: --progress-timeout needs --health-port: it only changes what GET /healthz reports\n');
    const host = await runCli(['worker', '--health-host', '127.0.0.1'], env);
    expect(host.code).toBe(1);
    expect(host.stderr).toBe('living-review: --health-host needs --health-port: it only says where GET /healthz listens\n');
    const bad = await runCli(['worker', '--health-port', '70000'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--health-port.*expected a port number 0-65535/);
  });

  it('run --enqueue --wait interrupted by SIGTERM says so, not that an operation was aborted', async () => {
    // A prefix no worker serves: the job waits for ever.
    const child = spawnCli(['run', '--enqueue', '--wait', '--sources', 'pubmed', '--from', '2022-06-01', '--to', '2022-06-30'], { ...env, QUEUE_PREFIX: randomPrefix() });
    const result = cliResult(child);
    await new Promise<void>((resolve) => child.stderr!.on('data', (d) => String(d).includes('queued ') && resolve()));
    child.kill('SIGTERM');
    const r = await result;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^queued [^\n]+\nliving-review: interrupted \(SIGTERM\)\n$/);
  });

  it('refuses a --from after --to before queueing anything', async () => {
    const r = await runCli(['run', '--enqueue', '--sources', 'pubmed', '--from', '2022-07-01', '--to', '2022-06-30'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('living-review: run: --from 2022-07-01 is after --to 2022-06-30\n');
  });

  it('refuses to enqueue when Redis is not reachable, naming it', async () => {
    const r = await runCli(['run', '--enqueue', '--sources', 'pubmed', '--from', '2022-06-01', '--to', '2022-06-30'], { ...env, REDIS_URL: 'redis://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^living-review: .*127\.0\.0\.1:1/);
  });
});
