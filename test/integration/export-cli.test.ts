// `export --out` onto what is already there: a file is replaced whole, a symlink's file is written
// and the link stays, a FIFO (like /dev/stdout) is written through, never renamed over, and an
// interrupted export leaves the last good file and nothing else.
import { spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbContext } from '../../src/context.js';
import { cliResult, runCli, spawnCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol } from '../helpers/review.js';

let t: TestDatabase;
let ctx: DbContext;
let env: NodeJS.ProcessEnv;
const dir = mkdtempSync(join(tmpdir(), 'lr-export-'));

beforeAll(async () => {
  t = await createTestDatabase();
  env = reviewEnv(t.url, writeProtocol({ id: 'exp', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }));
  ctx = await openReview(env);
  await stage(ctx, 'exp', [record(1), record(2), record(3)]);
});
afterAll(async () => {
  await ctx.close();
  await t.drop();
});

const rows = (csv: string) => csv.trim().split('\r\n').length - 1;

describe('export --out', () => {
  it('replaces a file whole and writes through a symlink, leaving the link and no partial file', async () => {
    const real = join(dir, 'real.csv');
    const link = join(dir, 'link.csv');
    writeFileSync(real, 'old\n', { mode: 0o640 });
    symlinkSync(real, link);
    const r = await runCli(['export', '--format', 'csv', '--out', link], env);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(rows(readFileSync(real, 'utf8'))).toBe(3);
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('writes into a FIFO, as into /dev/stdout, instead of renaming a file over it', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let out = '';
    reader.stdout.on('data', (d) => (out += String(d)));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const r = await runCli(['export', '--format', 'csv', '--out', fifo], env);
    await done;
    expect(r.code, r.stderr).toBe(0);
    expect(rows(out)).toBe(3);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('stops at SIGINT, removing its unfinished file and keeping the last good one', async () => {
    const out = join(dir, 'kept.csv');
    writeFileSync(out, 'last good export\n');
    // The export blocks on its first page of works while this transaction holds them.
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    try {
      await admin.query('begin');
      await admin.query('lock table works in access exclusive mode');
      const child = spawnCli(['export', '--format', 'csv', '--out', out], env);
      const result = cliResult(child);
      const partial = () => readdirSync(dir).filter((f) => f.startsWith('kept.csv.partial-'));
      const deadline = Date.now() + 30_000;
      while (partial().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(partial()).toHaveLength(1);
      child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      await admin.query('commit');
      const r = await result;
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('living-review: interrupted (SIGINT)\n');
      expect(readFileSync(out, 'utf8')).toBe('last good export\n');
      expect(partial()).toEqual([]);
    } finally {
      await admin.end();
    }
  });

  it('names the path it cannot write', async () => {
    const r = await runCli(['export', '--format', 'csv', '--out', join(dir, 'missing', 'x.csv')], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`living-review: --out ${join(dir, 'missing', 'x.csv')}: cannot write there (ENOENT)\n`);
  });
});
