// The outbox guarantee with a real crash: `digest --once` is SIGKILLed inside the SMTP exchange.
// Killed after the server has the message and before the row is marked sent, the rerun must not
// send a second copy; killed before the server greeted it, the rerun must send it.
import { type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, record, reviewEnv, stage, writeProtocol } from '../helpers/review.js';
import { startSmtp, type FakeSmtp } from '../helpers/smtp.js';

/** Starts `digest --once` and SIGKILLs it from inside the SMTP server hook that `arm` installs. */
async function killInside(arm: (hook: () => Promise<void>) => void, env: NodeJS.ProcessEnv): Promise<void> {
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> | undefined;
  const killed = new Promise<void>((resolve) =>
    arm(async () => {
      child!.kill('SIGKILL');
      await exited;
      resolve();
    }),
  );
  child = spawnCli(['digest', '--once'], env, 'ignore');
  exited = new Promise((r) => child!.once('exit', r));
  await killed;
}

describe('digest --once killed mid-send', () => {
  let t: TestDatabase;
  let smtp: FakeSmtp;
  let admin: pg.Client;
  const status = async (review: string) => (await admin.query('select status, attempts from digests where review_id = $1', [review])).rows;
  beforeAll(async () => {
    t = await createTestDatabase();
    smtp = await startSmtp();
    admin = new pg.Client({ connectionString: t.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await smtp.close();
    await t.drop();
  });
  const setUp = async (id: string) => {
    const env = reviewEnv(t.url, writeProtocol({ id, reviewers: [{ name: 'Ann', email: 'ann@example.org' }] }), { SMTP_URL: smtp.url });
    const ctx = await openReview(env);
    await stage(ctx, id, [record(900, { title: 'Killed mid-send study' })]);
    await ctx.close();
    return env;
  };

  it('between "sent" and "marked sent": leaves the digest ambiguous and never sends a second copy', async () => {
    const env = await setUp('dg-kill');
    // The server stores the message and, before its 250 goes out, the sender is killed: the moment
    // after the server has it and before the outbox row can be marked.
    await killInside(smtp.beforeNextAccept, env);
    expect(await status('dg-kill')).toEqual([{ status: 'sending', attempts: '1' }]);
    expect(smtp.received).toHaveLength(1);

    const rerun = await runCli(['digest', '--once'], env);
    expect(rerun.code).toBe(1); // an ambiguous digest needs a person
    expect(rerun.stdout).toMatch(/digest \d+ was interrupted mid-send: now ambiguous/);
    const again = await runCli(['digest', '--once'], env);
    expect(again.stdout).toMatch(/sent 0/);
    expect(smtp.received).toHaveLength(1);
    expect(await status('dg-kill')).toEqual([{ status: 'ambiguous', attempts: '1' }]);
  });

  it('before the server greeted it: the digest stays pending and the rerun sends it once', async () => {
    const env = await setUp('dg-greet');
    const before = smtp.received.length;
    await killInside(smtp.beforeNextGreeting, env);
    expect(await status('dg-greet')).toEqual([{ status: 'pending', attempts: '0' }]);
    const rerun = await runCli(['digest', '--once'], env);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(/sent 1/);
    expect(smtp.received.length - before).toBe(1);
    expect(await status('dg-greet')).toEqual([{ status: 'sent', attempts: '1' }]);
  });
});
