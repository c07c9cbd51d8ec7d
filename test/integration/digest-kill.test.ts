// The outbox guarantee with a real crash: `digest --once` is SIGKILLed after the SMTP server has
// answered 250 and before the row is marked sent; the rerun must not send a second copy.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol } from '../helpers/review.js';
import { startSmtp, type FakeSmtp } from '../helpers/smtp.js';

describe('digest --once killed between "sent" and "marked sent"', () => {
  let t: TestDatabase;
  let smtp: FakeSmtp;
  beforeAll(async () => {
    t = await createTestDatabase();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
    await t.drop();
  });

  it('leaves the digest ambiguous and never sends a second copy', async () => {
    const env = reviewEnv(t.url, writeProtocol({ id: 'dg-kill', reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }), { SMTP_URL: smtp.url });
    const ctx = await openReview(env);
    await stage(ctx, 'dg-kill', [record(900, { title: 'Killed mid-send study' })]);
    await ctx.close();

    // The server stores the message and, before its 250 goes out, the sender is killed: the moment
    // after the server has it and before the outbox row can be marked.
    let child: ReturnType<typeof spawn> | undefined;
    let exited: Promise<unknown> | undefined;
    const killed = new Promise<void>((resolve) =>
      smtp.beforeNextAccept(async () => {
        child!.kill('SIGKILL');
        await exited;
        resolve();
      }),
    );
    child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'src/cli/index.ts'), 'digest', '--once'], {
      cwd: packageRoot,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    exited = new Promise((r) => child!.once('exit', r));
    await killed;
    const admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
    const status = async () => (await admin.query("select status, attempts from digests where review_id = 'dg-kill'")).rows;
    expect(await status()).toEqual([{ status: 'sending', attempts: '1' }]);
    expect(smtp.received).toHaveLength(1);

    const rerun = await runCli(['digest', '--once'], env);
    expect(rerun.code).toBe(1); // an ambiguous digest needs a person
    expect(rerun.stdout).toMatch(/digest \d+ was interrupted mid-send: now ambiguous/);
    const again = await runCli(['digest', '--once'], env);
    expect(again.stdout).toMatch(/sent 0/);
    expect(smtp.received).toHaveLength(1);
    expect(await status()).toEqual([{ status: 'ambiguous', attempts: '1' }]);
    await admin.end();
  });
});
