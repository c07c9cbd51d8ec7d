import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_KEYS_VERSION } from '../../src/dedup/blocking.js';
import { packageRoot } from '../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { runCli, spawnCli } from '../helpers/cli.js';

const CONTRACT_COMMANDS = ['migrate', 'run', 'digest', 'worker', 'serve', 'screen', 'export', 'prisma', 'status', 'import', 'dedupe'];

describe('living-review CLI', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('lists every command of the contract', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const name of CONTRACT_COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('migrates idempotently and reports status as JSON', async () => {
    const env = { DATABASE_URL: t.url };
    const first = await runCli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/: 0 migration\(s\) applied, \d+ in total/);
    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed).toMatchObject({ review: 'peer-support-overdose', sources: [], works: [] });
    // The shipped review enables PubMed and Europe PMC: neither searched yet, both start at update_from.
    expect(parsed.notSearched).toEqual([
      { source: 'pubmed', nextWindowFrom: '2020-10-01' },
      { source: 'europepmc', nextWindowFrom: '2020-10-01' },
    ]);
    const text = await runCli(['status'], env);
    expect(text.stdout).toContain('  pubmed: no search yet; first window starts 2020-10-01\n  europepmc: no search yet; first window starts 2020-10-01\n');
    // The same review under `reviews`, as with several protocols.
    expect(parsed.reviews).toEqual([{ ...parsed, reviews: undefined, queues: undefined }].map((r) => JSON.parse(JSON.stringify(r))));
    expect(typeof parsed.queues.reachable).toBe('boolean');
  });

  it('migrate rebuilds match keys made by an older version, so serve and worker start on current ones', async () => {
    const env = { DATABASE_URL: t.url };
    const imported = await runCli(['import', join(packageRoot, 'test/fixtures/import/same-works.ris'), '--source', 'scopus'], env);
    expect(imported.code, imported.stderr).toBe(0);
    const [{ n } = { n: 0 }] = await t.query<{ n: number }>(`select count(*)::int as n from works where review_id = 'peer-support-overdose' and merged_into_id is null`);
    expect(n).toBeGreaterThan(0);
    // As after an upgrade: keys from older code (here: none left) under an older version.
    await t.query(`delete from work_block_keys`);
    await t.query(`update reviews set block_keys_version = $1`, [BLOCK_KEYS_VERSION - 1]);
    const r = await runCli(['migrate'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`peer-support-overdose: block keys rebuilt for ${n} work(s)\n`);
    expect(await t.query(`select block_keys_version as v from reviews`)).toEqual([{ v: BLOCK_KEYS_VERSION }]);
    const [keys] = await t.query<{ works: number }>(`select count(distinct work_id)::int as works from work_block_keys`);
    expect(keys!.works).toBe(n);
    // Current keys: nothing to do the next time.
    const again = await runCli(['migrate'], env);
    expect(again.stdout).not.toContain('block keys rebuilt');
  });

  it('stops quietly when the reader of its output goes away (`| head`)', async () => {
    const child = spawnCli(['dedupe', join(packageRoot, 'test/fixtures/dedup/small.csv')]);
    child.stdout!.destroy(); // closed before the command writes: its first write meets EPIPE
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('refuses an unknown command, and an import without a source name, in one line', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toBe("error: unknown command 'frobnicate'\n");
    const nameless = await runCli(['import', 'x.ris', '--source', ' '], { DATABASE_URL: t.url });
    expect(nameless.code).not.toBe(0);
    expect(nameless.stderr).toBe("error: option '--source <name>' argument ' ' is invalid. expected a database name such as cinahl (letters, digits, space . _ -)\n");
  });

  it('fails with one line naming the unreachable host', async () => {
    const r = await runCli(['status'], { DATABASE_URL: 'postgres://x@127.0.0.1:1/db' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('living-review: cannot connect to PostgreSQL at 127.0.0.1:1/db (ECONNREFUSED)\n');
  });

  it('fails with one line naming the protocol file and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lr-cli-'));
    const file = join(dir, 'x.yaml');
    writeFileSync(file, 'id: x\n');
    const r = await runCli(['status'], { REVIEW_CONFIG: file, DATABASE_URL: t.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^living-review: .*x\.yaml: title: [^;]*; .*x\.yaml: citation: /);
    expect(r.stderr.split('\n')).toHaveLength(2);
  });
});
