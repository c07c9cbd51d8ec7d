import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, queryRows, withSessionLock, type Database } from '../../src/db/client.js';
import { loadProtocol } from '../../src/config/protocol.js';
import { migrate } from '../../src/db/migrate.js';
import { prismaInputs } from '../../src/db/queries/prisma.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { sourceCoverage } from '../../src/db/queries/runs.js';
import { reviewStatus } from '../../src/db/queries/status.js';
import { auditLog, reviewers, searchRuns, works } from '../../src/db/schema/index.js';
import { migrationsFolder, packageRoot } from '../../src/paths.js';
import { NO_FLAGS } from '../../src/records/types.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/db.js';

/** Every migration of the journal: a new migration must not need a test edit. */
const MIGRATIONS: number = JSON.parse(readFileSync(join(migrationsFolder, 'meta/_journal.json'), 'utf8')).entries.length;
const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));

/** The same repository calls, run on both drivers. */
async function exerciseRepository(database: Database) {
  const { db } = database;
  await syncProtocol(db, protocol);
  await syncProtocol(db, protocol); // unchanged: no second audit row
  await syncProtocol(db, { ...protocol, reviewers: [{ name: 'New', email: 'New@Example.org', role: 'maintainer' }] });
  const rs = await db.select().from(reviewers).orderBy(reviewers.email);
  expect(rs.map((r) => [r.email, r.active])).toEqual([
    ['new@example.org', 1],
    ['reviewer@example.org', 0],
  ]);
  const audit = await db.select().from(auditLog).where(eq(auditLog.reviewId, protocol.id));
  expect(audit.map((a) => a.action)).toEqual(['protocol.registered', 'protocol.updated']);

  const [run] = await db
    .insert(searchRuns)
    .values({ reviewId: protocol.id, cycleId: 'c1', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2020-10-01', windowTo: '2020-12-31', status: 'ok', identified: 2, fetched: 2, newWorks: 1, duplicates: 1 })
    .returning();
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c2', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2020-12-24', windowTo: '2021-02-01', status: 'failed', error: 'boom' });
  await db.insert(works).values({ reviewId: protocol.id, origin: 'candidate', status: 'pending', title: 'T', titleKey: 't', flags: NO_FLAGS, firstSeenRunId: run!.id });
  const status = await reviewStatus(db, protocol.id);
  expect(status.sources).toHaveLength(1);
  expect(status.sources[0]).toMatchObject({ source: 'pubmed', status: 'failed', error: 'boom', watermark: '2020-12-31' });
  expect(status.works).toEqual([{ origin: 'candidate', status: 'pending', count: 1 }]);
  expect(status.attention).toEqual({ ambiguousDigests: 0, failedDigests: 0, uncertainPairs: 0, flaggedWorks: 0 });

  // A window an older version let end in the future counts up to the day its run started.
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c3', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2021-01-01', windowTo: '2099-12-31', status: 'ok', startedAt: new Date('2021-03-01T12:00:00Z'), finishedAt: new Date('2021-03-01T12:00:00Z') });
  expect((await sourceCoverage(db, protocol.id, 'pubmed', 'q')).watermark).toBe('2021-03-01');
  expect((await reviewStatus(db, protocol.id)).sources[0]!.watermark).toBe('2021-03-01');

  // A window started past the next start (`run --once --from`) leaves the days between unsearched:
  // the next window still starts before them. A backfill before update_from moves nothing.
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c4', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2021-06-01', windowTo: '2021-06-30', status: 'ok', startedAt: new Date('2021-07-01T12:00:00Z'), finishedAt: new Date('2021-07-01T12:00:00Z') });
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c5', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2015-01-01', windowTo: '2015-12-31', status: 'ok', startedAt: new Date('2021-07-02T12:00:00Z'), finishedAt: new Date('2021-07-02T12:00:00Z') });
  expect((await sourceCoverage(db, protocol.id, 'pubmed', 'q')).watermark).toBe('2021-03-01');
  expect((await reviewStatus(db, protocol.id)).sources[0]!.watermark).toBe('2021-03-01');
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c6', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2021-02-22', windowTo: '2021-07-10', status: 'ok', startedAt: new Date('2021-07-10T12:00:00Z'), finishedAt: new Date('2021-07-10T12:00:00Z') });
  expect((await sourceCoverage(db, protocol.id, 'pubmed', 'q')).watermark).toBe('2021-07-10');
  // Started at 02:00Z on 1 August, when it was still 31 July in America (NCBI, which dates
  // PubMed's records, is in US Eastern time): 31 July was not over at the source, so the window counts up to it and the next
  // window searches it again, even without an overlap.
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c7', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2021-07-09', windowTo: '2021-08-01', status: 'ok', startedAt: new Date('2021-08-01T02:00:00Z'), finishedAt: new Date('2021-08-01T02:10:00Z') });
  expect((await sourceCoverage(db, protocol.id, 'pubmed', 'q')).watermark).toBe('2021-07-31');
  // Started at 13:00Z, when 1 August had begun everywhere on earth: the whole window counts.
  await db.insert(searchRuns).values({ reviewId: protocol.id, cycleId: 'c8', source: 'pubmed', trigger: 'cli', query: 'q', windowFrom: '2021-07-31', windowTo: '2021-08-01', status: 'ok', startedAt: new Date('2021-08-01T13:00:00Z'), finishedAt: new Date('2021-08-01T13:10:00Z') });
  expect((await sourceCoverage(db, protocol.id, 'pubmed', 'q')).watermark).toBe('2021-08-01');

  await expect(
    db.insert(works).values({ reviewId: protocol.id, origin: 'candidate', status: 'bogus' as 'pending', title: 'T', titleKey: 't', flags: NO_FLAGS }),
  ).rejects.toThrow();
  const trgm = await db.execute(sql`select similarity('peer support', 'peer supports') > 0.5 as ok`);
  expect((trgm as unknown as { rows: { ok: boolean }[] }).rows[0]!.ok).toBe(true);
}

describe('Postgres', () => {
  const created: { drop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const d of created) await d.drop();
  });

  it('serves the repository layer', async () => {
    const t = await createTestDatabase();
    created.push(t);
    await exerciseRepository(t.database);
  });

  it('migrates once when two processes start together', async () => {
    const adminUrl = inject('pgAdminUrl');
    const name = `lr_race_${Date.now()}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const [a, b] = await Promise.all([0, 1].map(() => openDatabase({ DATABASE_URL: u.toString(), dataDir: '' })));
    try {
      const results = await Promise.all([migrate(a!), migrate(b!)]);
      expect(results.map((r) => r.applied).sort()).toEqual([0, MIGRATIONS]);
      expect(results.every((r) => r.total === MIGRATIONS)).toBe(true);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
      await admin.query(`drop database "${name}" with (force)`);
      await admin.end();
    }
  });

  it('refuses a database a newer version migrated, before changing anything, and the CLI says so in one line', async () => {
    const t = await createTestDatabase();
    created.push(t);
    await queryRows(t.database.db, sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-a-newer-version', 1893456000000)`);
    await expect(migrate(t.database)).rejects.toThrow(
      'the database holds 1 migration(s) this living-review does not ship (the first dated 2030-01-01): a newer version migrated it; run that version or upgrade',
    );
    const r = await runCli(['status'], { DATABASE_URL: t.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('living-review: the database holds 1 migration(s) this living-review does not ship (the first dated 2030-01-01): a newer version migrated it; run that version or upgrade\n');
    await queryRows(t.database.db, sql`delete from drizzle.__drizzle_migrations where hash = 'from-a-newer-version'`);
    expect((await migrate(t.database)).applied).toBe(0);
  });

  it('migration 0010 gives works imported before imports were logged a run, so PRISMA counts them', async () => {
    const t = await createTestDatabase();
    created.push(t);
    const { db } = t.database;
    await syncProtocol(db, protocol);
    // As an import before e01491a left them: candidate works and their records, no run.
    const [a, b] = await db
      .insert(works)
      .values([1, 2].map((n) => ({ reviewId: protocol.id, origin: 'candidate' as const, status: n === 1 ? ('included' as const) : ('pending' as const), title: `Old import ${n}`, titleKey: `old import ${n}`, flags: NO_FLAGS, firstSeenAt: new Date('2026-11-20T10:00:00Z') })))
      .returning({ id: works.id });
    for (const w of [a!, b!]) {
      await queryRows(db, sql`insert into source_records (review_id, source, source_id, payload_hash, work_id, record, match_method) values (${protocol.id}, 'cinahl', ${`old-${w.id}`}, 'h', ${w.id}, '{}'::jsonb, 'new')`);
    }
    expect((await prismaInputs(db, protocol.id)).worksByRun).toEqual([]);
    await queryRows(db, sql.raw(readFileSync(join(migrationsFolder, '0010_backfill_import_runs.sql'), 'utf8')));
    const runs = await db.select().from(searchRuns).where(eq(searchRuns.reviewId, protocol.id));
    expect(runs).toMatchObject([{ source: 'cinahl', trigger: 'import', status: 'ok', windowFrom: '2026-11-20', identified: 2, fetched: 2, newWorks: 2 }]);
    const counted = (await prismaInputs(db, protocol.id)).worksByRun.sort((x, y) => x.status.localeCompare(y.status));
    expect(counted.map((c) => [c.status, c.count])).toEqual([['included', 1], ['pending', 1]]);
  });

  it("fails a lock holder's work, not the process, when Postgres terminates its connection", async () => {
    const t = await createTestDatabase();
    created.push(t);
    const { db } = t.database;
    const key = 4242n;
    const work = withSessionLock(db, key, async (owner) => {
      const [row] = await queryRows<{ pid: number }>(owner, sql`select pg_backend_pid() as pid`);
      await t.query('select pg_terminate_backend($1)', [row!.pid]);
      // The socket closes and the client emits 'error' while lent out, before the next query.
      await new Promise((r) => setTimeout(r, 300));
      await owner.execute(sql`select 1`);
    });
    // drizzle names the failed query; its cause is the terminated connection.
    await expect(work).rejects.toThrow(/Failed query: select 1/);
    // The pool goes on, and the lock went with the connection.
    expect(await t.query('select pg_try_advisory_lock($1) as free', [key.toString()])).toEqual([{ free: true }]);
    expect(await queryRows<{ one: number }>(db, sql`select 1 as one`)).toEqual([{ one: 1 }]);
  });

  it('names the host it could not reach, and what the server said', async () => {
    await expect(openDatabase({ DATABASE_URL: 'postgres://x@127.0.0.1:1/nope', dataDir: '' })).rejects.toThrow(
      'cannot connect to PostgreSQL at 127.0.0.1:1/nope (ECONNREFUSED)',
    );
    const missing = new URL(inject('pgAdminUrl'));
    missing.pathname = '/lr_no_such_database';
    await expect(openDatabase({ DATABASE_URL: missing.toString(), dataDir: '' })).rejects.toThrow(
      `cannot connect to PostgreSQL at ${missing.hostname}:${missing.port || 5432}/lr_no_such_database (database "lr_no_such_database" does not exist, 3D000)`,
    );
  });
});

describe('PGlite (embedded default)', () => {
  it('runs the same migrations and repository layer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lr-pglite-'));
    const database = await openDatabase({ dataDir });
    try {
      expect(database.kind).toBe('pglite');
      expect(database.location).toBe(join(dataDir, 'pglite'));
      expect(await migrate(database)).toEqual({ applied: MIGRATIONS, total: MIGRATIONS });
      expect(await migrate(database)).toEqual({ applied: 0, total: MIGRATIONS });
      await exerciseRepository(database);
    } finally {
      await database.close();
    }
  });

  it('is opened by one process at a time: a second is refused naming the first, before it touches the files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lr-pglite-'));
    const env = { DATABASE_URL: undefined, LR_DATA_DIR: dataDir };
    const database = await openDatabase({ dataDir });
    try {
      await migrate(database);
      const second = await runCli(['status'], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`living-review: the embedded database ${join(dataDir, 'pglite')} is in use by process ${process.pid} (`);
      expect(second.stderr).toContain('set DATABASE_URL to a PostgreSQL server that several processes can share');
      // The holder's data is untouched and still its own to write.
      await database.db.execute(sql`select 1`);
    } finally {
      await database.close();
    }
    expect(existsSync(join(dataDir, 'pglite.lock'))).toBe(false);
    const after = await runCli(['status'], env);
    expect(after.code, after.stderr).toBe(0);
  }, 60_000);

  it('takes over the lock of a process that died, and refuses one held on another machine', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lr-pglite-'));
    const lockFile = join(dataDir, 'pglite.lock');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const holder = (pid: number, host: string) => JSON.stringify({ pid, host, command: 'living-review serve', since: '2026-01-01T00:00:00Z' });
    writeFileSync(lockFile, holder(dead, hostname()));
    const database = await openDatabase({ dataDir });
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
    await database.close();
    writeFileSync(lockFile, holder(1, 'other-host'));
    await expect(openDatabase({ dataDir })).rejects.toThrow(`is in use by process 1 on other-host (living-review serve, since 2026-01-01T00:00:00Z)`);
    await expect(openDatabase({ dataDir })).rejects.toThrow(`if that process is gone, delete ${lockFile}`);
  }, 60_000);
});
