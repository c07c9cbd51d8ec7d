import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbContext } from '../../src/context.js';
import { digests, screeningDecisions } from '../../src/db/schema/index.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol } from '../helpers/review.js';

let t: TestDatabase;
let ctx: DbContext;
let env: Record<string, string | undefined>;
let workId: number;

beforeAll(async () => {
  t = await createTestDatabase();
  env = reviewEnv(t.url, writeProtocol({ id: 'cli-rev', reviewers: [{ name: 'Ann', email: 'Ann@Example.org' }, { name: 'Mia', email: 'mia@example.org', role: 'maintainer' }] }), { SMTP_URL: '' });
  ctx = await openReview(env);
  workId = (await stage(ctx, 'cli-rev', [record(1, { title: 'CLI study' })]))[0]!;
});
afterAll(async () => {
  await ctx.close();
  await t.drop();
});

describe('screen', () => {
  it('records a decision from the command line', async () => {
    // Typed in another case, a protocol reason is stored as the protocol writes it.
    const r = await runCli(['screen', String(workId), 'exclude', '--reviewer', 'ann@example.org', '--reason', 'Not english: French only'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`candidate ${workId}: exclude by ann@example.org (cli); status pending -> excluded\n`);
    const free = await runCli(['screen', String(workId), 'exclude', '--reviewer', 'ann@example.org', '--reason', 'wrong design'], env);
    expect(free.code).toBe(0);
    expect(free.stderr).toMatch(/^living-review: note: "wrong design" is none of cli-rev's exclusion reasons \(not peer-involved; .*\); stored as free text\n$/);
    const rows = await ctx.database.db.select().from(screeningDecisions).where(eq(screeningDecisions.workId, workId)).orderBy(screeningDecisions.id);
    expect(rows.map((d) => [d.decision, d.reason, d.channel])).toEqual([['exclude', 'not English: French only', 'cli'], ['exclude', 'wrong design', 'cli']]);
  });

  it('fails with one line for an unknown candidate or reviewer', async () => {
    const unknown = await runCli(['screen', '999999', 'include', '--reviewer', 'ann@example.org'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('living-review: screen: no candidate with id 999999\n');
    const nobody = await runCli(['screen', String(workId), 'include', '--reviewer', 'zed@example.org'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe('living-review: screen: zed@example.org is not a reviewer of cli-rev\n');
    const badDecision = await runCli(['screen', String(workId), 'perhaps', '--reviewer', 'ann@example.org'], env);
    expect(badDecision.code).not.toBe(0);
    expect(badDecision.stderr).toMatch(/expected one of include, exclude, maybe/);
  });
});

describe('digest and serve', () => {
  it('refuse to start without APP_SECRET outside tests', async () => {
    for (const args of [['digest', '--once'], ['serve', '--port', '0']]) {
      const r = await runCli(args, { ...env, NODE_ENV: 'production', APP_SECRET: '' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^living-review: APP_SECRET is not set: .*\n$/);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
  });

  it('--dry-run prints the digests and writes nothing; --once then writes the .eml outbox', async () => {
    await stage(ctx, 'cli-rev', [record(2, { title: 'Dry run study' })]);
    const dry = await runCli(['digest', '--once', '--dry-run'], env);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^review cli-rev, period \S+: 2 digest\(s\)$/m);
    expect(dry.stdout).toContain('To: Ann <ann@example.org>');
    expect(dry.stdout).toContain('Subject: 1 new record to screen: Review cli-rev');
    expect(dry.stdout).toContain('Dry run study');
    expect(await ctx.database.db.select().from(digests)).toEqual([]);
    expect(existsSync(join(env.LR_DATA_DIR!, 'outbox'))).toBe(false);

    const sent = await runCli(['digest', '--once', '--review', 'cli-rev'], env);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('sent 2, retrying 0, failed 0, ambiguous 0');
    const rows = await ctx.database.db.select().from(digests);
    expect(readdirSync(join(env.LR_DATA_DIR!, 'outbox')).sort()).toEqual(rows.map((r) => `digest-${r.id}.eml`).sort());
    const again = await runCli(['digest', '--once'], env);
    expect(again.stdout).toContain('sent 0, retrying 0, failed 0, ambiguous 0');
  });

  it('serve answers on its port', async () => {
    const child = spawnCli(['serve', '--port', '0'], env);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          const m = /listening on port (\d+)/.exec(String(d));
          if (m) resolve(Number(m[1]));
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const r = await fetch(`http://127.0.0.1:${port}/a/forged.token`);
      expect(r.status).toBe(403);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
