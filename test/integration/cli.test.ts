import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
