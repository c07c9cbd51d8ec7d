import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { listCandidates } from '../../src/db/queries/candidates.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { prismaInputs } from '../../src/db/queries/prisma.js';
import { sourceCoverage } from '../../src/db/queries/runs.js';
import { reviewStatus } from '../../src/db/queries/status.js';
import { searchRuns, seeds, sourceRecords, workRelations, works } from '../../src/db/schema/index.js';
import { prismaReport } from '../../src/prisma/counts.js';
import { importFiles } from '../../src/imports/stage-files.js';
import { NO_FLAGS } from '../../src/records/types.js';
import { stageSeeds } from '../../src/staging/seeds.js';
import { packageRoot } from '../../src/paths.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
const fixture = (name: string) => join(packageRoot, 'test/fixtures/import', name);

describe('import FILE... --source NAME', () => {
  let t: TestDatabase;
  const db = () => t.database.db;
  const workOf = async (source: string, sourceId: string) =>
    (await db().select({ workId: sourceRecords.workId }).from(sourceRecords).where(and(eq(sourceRecords.source, source), eq(sourceRecords.sourceId, sourceId))))[0]!.workId;
  /** The one work of a source's imported records (stored under their content) whose titles start so. */
  const workTitled = async (source: string, title: string) => {
    const rows = await db().select({ workId: sourceRecords.workId }).from(sourceRecords).where(and(eq(sourceRecords.source, source), sql`${sourceRecords.record}->>'title' like ${`${title}%`}`));
    expect(new Set(rows.map((r) => r.workId)).size).toBe(1);
    return rows[0]!.workId;
  };
  const run = (file: string, source: string, as: 'candidates' | 'seeds' = 'candidates') => importFiles(db(), [fixture(file)], { reviewId: protocol.id, source, as });

  beforeAll(async () => {
    t = await createTestDatabase();
    await syncProtocol(db(), protocol);
  });
  afterAll(async () => t.drop());

  it('--as seeds stages included seed works', async () => {
    expect(await run('included.ris', 'original-review', 'seeds')).toEqual({ files: 1, read: 2, newWorks: 2, duplicates: 0, uncertain: 0 });
    const rows = await db().select({ origin: works.origin, status: works.status }).from(works);
    expect(rows).toEqual([{ origin: 'seed', status: 'included' }, { origin: 'seed', status: 'included' }]);
    expect((await db().select().from(seeds)).map((s) => s.seedKey).sort()).toEqual(['doi:10.1111/add.15301', 'title:take home naloxone and peer mentoring for people leaving prison']);
  });

  it('stages a RIS file once: a second import of it changes nothing', async () => {
    // One record duplicates a seed (no DOI, other formatting), one duplicates another in the file.
    expect(await run('search.ris', 'scopus')).toEqual({ files: 1, read: 3, newWorks: 1, duplicates: 2, uncertain: 0 });
    expect(await workTitled('scopus', 'PEER-DELIVERED NALOXONE TRAINING')).toBe(await workTitled('original-review', 'Peer-delivered naloxone training'));
    const before = await db().select().from(works).orderBy(works.id);
    expect(await run('search.ris', 'scopus')).toEqual({ files: 1, read: 3, newWorks: 0, duplicates: 3, uncertain: 0 });
    expect(await db().select().from(works).orderBy(works.id)).toEqual(before);
  });

  it('links a retraction, an erratum and a preprint to their articles, each visible, and flags the included ones', async () => {
    expect(await run('notices.nbib', 'pubmed')).toMatchObject({ read: 3, newWorks: 3, duplicates: 0 });
    const [retraction, erratum, preprint] = await Promise.all(['91000001', '91000002', '91000003'].map((id) => workOf('pubmed', id)));
    const [retracted, corrected, article] = await Promise.all([
      workTitled('original-review', 'Take-home naloxone'),
      workTitled('original-review', 'Peer-delivered naloxone training'),
      workTitled('scopus', 'Peer recovery coaches in emergency departments after opioid overdose: a randomised trial'),
    ]);
    const rels = await db().select({ from: workRelations.fromWorkId, to: workRelations.toWorkId, type: workRelations.type }).from(workRelations);
    expect(rels).toEqual(
      expect.arrayContaining([
        { from: retraction, to: retracted, type: 'retraction-of' },
        { from: erratum, to: corrected, type: 'erratum-for' },
        { from: preprint, to: article, type: 'version-of' },
      ]),
    );
    expect(rels).toHaveLength(3);
    const flagged = await db().select({ id: works.id, attention: works.attention }).from(works).where(isNotNull(works.attention)).orderBy(works.id);
    expect(flagged).toEqual([
      { id: corrected, attention: `erratum-for work ${erratum}` },
      { id: retracted, attention: `retraction-of work ${retraction}` },
    ]);
    const visible = (await listCandidates(db(), protocol.id, 'all')).map((c) => c.id);
    expect(visible).toEqual(expect.arrayContaining([retraction, erratum, preprint, article]));
    // status names them for the maintainers, not only how many.
    expect((await reviewStatus(db(), protocol.id)).flagged).toEqual([
      { workId: corrected, title: expect.stringMatching(/^Peer-delivered naloxone training/), status: 'included', origin: 'seed', note: `erratum-for work ${erratum}` },
      { workId: retracted, title: 'Take-home naloxone and peer mentoring for people leaving prison', status: 'included', origin: 'seed', note: `retraction-of work ${retraction}` },
    ]);
  });

  it('logs each candidate import as a run that PRISMA counts under its database, never moving a search watermark', async () => {
    const runs = await db().select().from(searchRuns).orderBy(searchRuns.id);
    expect(runs.map((r) => [r.source, r.trigger, r.status, r.query, r.identified, r.newWorks, r.duplicates])).toEqual([
      ['scopus', 'import', 'ok', 'search.ris', 3, 1, 2],
      ['scopus', 'import', 'ok', 'search.ris', 3, 0, 3],
      ['pubmed', 'import', 'ok', 'notices.nbib', 3, 3, 0],
    ]);
    // Seeds are the original review's studies, not records an update identified: no run.
    expect((await sourceCoverage(db(), protocol.id, 'pubmed', 'q')).watermark).toBeNull();
    const { runs: log, worksByRun, seeds: seedCount } = await prismaInputs(db(), protocol.id);
    const report = prismaReport(protocol.id, seedCount, log, worksByRun);
    expect(report.cumulative).toMatchObject({ identified: { scopus: 6, pubmed: 3 }, duplicatesRemoved: 5, screened: 4, awaiting: 4 });
    const status = await reviewStatus(db(), protocol.id);
    expect(status.sources).toEqual([]);
    expect(status.imports.map((i) => [i.source, i.files, i.read, i.newWorks])).toEqual([
      ['pubmed', 'notices.nbib', 3, 3],
      ['scopus', 'search.ris', 3, 0],
    ]);
  });

  it("never takes an export's own numbering for a record's identity: same file name, same ids, a repeated id", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lr-import-ids-'));
    const ris = (title: string, id?: string) => `TY  - JOUR\n${id ? `ID  - ${id}\n` : ''}TI  - ${title}\nAU  - Okafor, C\nPY  - 2022\nJO  - Harm Reduction Journal\nER  - \n`;
    const file = (sub: string, name: string, text: string) => {
      const path = join(dir, sub, name);
      mkdirSync(join(dir, sub), { recursive: true });
      writeFileSync(path, text);
      return path;
    };
    const jan = file('jan', 'export.ris', ris('Peer naloxone couriers in rural Ontario') + ris('Overdose prevention sites run by drug user unions'));
    const feb = file('feb', 'export.ris', ris('Fentanyl test strips handed out by peer workers') + ris('Recovery coaching by text message after overdose'));
    const tagged = file('tags', 'library.ris', ris('Peer-run drug checking at music festivals', '7') + ris('Safer supply programmes and peer outreach workers', '7'));
    const csvA = file('csv', 'a.csv', 'id,title,author,year\n1,Naloxone vending machines staffed by peers,Lindqvist A,2023\n');
    const csvB = file('csv', 'b.csv', 'id,title,author,year\n1,Peer navigators for hepatitis C care after overdose,Brennan M,2023\n');
    const opts = { reviewId: protocol.id, source: 'cinahl', as: 'candidates' } as const;
    expect(await importFiles(db(), [jan], opts)).toMatchObject({ read: 2, newWorks: 2, duplicates: 0 });
    expect(await importFiles(db(), [feb], opts)).toMatchObject({ read: 2, newWorks: 2, duplicates: 0 });
    expect(await importFiles(db(), [tagged, csvA, csvB], opts)).toMatchObject({ read: 4, newWorks: 4, duplicates: 0 });
    // Every record kept its own content; importing one again finds it.
    const titles = (await db().select({ title: sql<string>`${sourceRecords.record}->>'title'` }).from(sourceRecords).where(eq(sourceRecords.source, 'cinahl'))).map((r) => r.title);
    expect(titles).toHaveLength(8);
    expect(titles).toContain('Peer naloxone couriers in rural Ontario');
    expect(titles).toContain('Fentanyl test strips handed out by peer workers');
    expect(await importFiles(db(), [jan, tagged], opts)).toMatchObject({ read: 4, newWorks: 0, duplicates: 4 });
  });

  it('logs what the committed batches of a failed import staged, so PRISMA still adds up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lr-import-fail-'));
    const file = join(dir, 'embase.ris');
    const titles = ['Peer-led naloxone in pharmacies', 'Overdose response among sex workers', 'A POISON record the database refuses', 'Never reached'];
    writeFileSync(file, titles.map((t) => `TY  - JOUR\nTI  - ${t}\nPY  - 2023\nER  - \n`).join(''));
    // The database refuses the third record's work, as a lost connection or a full disk would.
    await t.query(`create function refuse_poison() returns trigger language plpgsql as $$ begin if new.title like '%POISON%' then raise exception 'refused by test'; end if; return new; end $$`);
    await t.query(`create trigger refuse_poison before insert on works for each row execute function refuse_poison()`);
    try {
      await expect(importFiles(db(), [file], { reviewId: protocol.id, source: 'embase', as: 'candidates', batchSize: 2 })).rejects.toThrow(/Failed query: insert into "works"/);
    } finally {
      await t.query('drop trigger refuse_poison on works; drop function refuse_poison()');
    }
    const [run] = await db().select().from(searchRuns).where(eq(searchRuns.source, 'embase'));
    expect(run).toMatchObject({ status: 'failed', identified: 4, fetched: 2, newWorks: 2, duplicates: 0 });
    const { runs, worksByRun } = await prismaInputs(db(), protocol.id);
    const update = prismaReport(protocol.id, null, runs, worksByRun).updates.find((u) => u.cycleId === run!.cycleId)!;
    expect(update).toMatchObject({ fetched: 2, duplicatesRemoved: 0, screened: 2 });
  });

  it('counts a candidate later declared one of the original studies as a duplicate, not as screened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lr-import-seed-'));
    const file = join(dir, 'wos.ris');
    writeFileSync(file, 'TY  - JOUR\nTI  - Peer overdose response in supportive housing\nDO  - 10.1000/late-seed.1\nPY  - 2020\nER  - \n');
    await importFiles(db(), [file], { reviewId: protocol.id, source: 'wos', as: 'candidates' });
    const [run] = await db().select().from(searchRuns).where(eq(searchRuns.source, 'wos'));
    // The maintainers add it to the protocol's seeds: it was in the original review all along.
    await stageSeeds(db(), protocol.id, 'protocol', [{ record: { source: 'protocol', sourceId: 'doi:10.1000/late-seed.1', doi: '10.1000/late-seed.1', title: '', authors: [], flags: NO_FLAGS } }]);
    const { runs, worksByRun } = await prismaInputs(db(), protocol.id);
    const update = prismaReport(protocol.id, null, runs, worksByRun).updates.find((u) => u.cycleId === run!.cycleId)!;
    expect(update).toMatchObject({ fetched: 1, duplicatesRemoved: 1, screened: 0 });
  });

  it('reads every file before staging any: a bad one fails the import with nothing staged and no run logged', async () => {
    const before = { works: await db().select().from(works), runs: await db().select().from(searchRuns) };
    const bad = join(mkdtempSync(join(tmpdir(), 'lr-import-')), 'notes.ris');
    writeFileSync(bad, 'not a RIS record\n');
    await expect(importFiles(db(), [fixture('same-works.ris'), bad], { reviewId: protocol.id, source: 'cinahl', as: 'candidates' })).rejects.toThrow(
      `${bad}: no records found in it as RIS`,
    );
    expect(await db().select().from(works)).toEqual(before.works);
    expect(await db().select().from(searchRuns)).toEqual(before.runs);
  });

  it('names a missing file before reading any: the first, unreadable as RIS, is never parsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lr-import-'));
    const [bad, missing] = [join(dir, 'notes.ris'), join(dir, 'missing.ris')];
    writeFileSync(bad, 'not a RIS record\n');
    await expect(importFiles(db(), [bad, missing], { reviewId: protocol.id, source: 'cinahl', as: 'candidates' })).rejects.toThrow(`cannot read ${missing}: ENOENT`);
  });
});

describe('import through the CLI, then the same works as PubMed XML', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('stages a RIS file once and links a later PubMed XML export of the same works to them', async () => {
    const env = { DATABASE_URL: t.url };
    const first = await runCli(['import', fixture('same-works.ris'), '--source', 'scopus'], env);
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(['import', fixture('same-works.ris'), '--source', 'scopus'], env);
    expect(again.code, again.stderr).toBe(0);
    const xml = await runCli(['import', fixture('same-works.xml'), '--source', 'pubmed'], env);
    expect(xml.code, xml.stderr).toBe(0);

    const db = t.database.db;
    const candidates = (await db.select().from(works).where(eq(works.origin, 'candidate'))).sort((a, b) => a.id - b.id);
    expect(candidates).toHaveLength(2);
    // The PubMed copies brought their PMIDs to the works the RIS file created.
    expect(candidates.map((w) => w.pmid)).toEqual(['92000001', '92000002']);
    const links = await db.select({ source: sourceRecords.source, workId: sourceRecords.workId }).from(sourceRecords);
    expect(links).toHaveLength(4);
    for (const w of candidates) expect(links.filter((l) => l.workId === w.id).map((l) => l.source).sort()).toEqual(['pubmed', 'scopus']);
  });

  it('links a Web of Science export of the same works to them, and its correction to the article it corrects', async () => {
    const wos = join(packageRoot, 'test/fixtures/import-readers/wos-plain.txt');
    const res = await runCli(['import', wos, '--source', 'wos'], { DATABASE_URL: t.url });
    expect(res.code, res.stderr).toBe(0);
    // Two copies of the RIS works; the correction and the retracted early-access paper are new.
    expect(res.stdout).toContain('4 record(s) read from 1 file(s) into peer-support-overdose: 2 new work(s), 2 duplicate(s), 0 uncertain');
    const db = t.database.db;
    const rows = await db.select({ workId: sourceRecords.workId, source: sourceRecords.source, title: sql<string>`${sourceRecords.record}->>'title'` }).from(sourceRecords);
    const workOfTitle = (source: string, start: string) => rows.find((r) => r.source === source && r.title.toLowerCase().startsWith(start.toLowerCase()))!.workId;
    expect(workOfTitle('wos', 'Peer-delivered naloxone')).toBe(workOfTitle('scopus', 'Peer-delivered naloxone'));
    const article = workOfTitle('scopus', "Peer workers' experiences");
    expect(workOfTitle('wos', "Peer workers' experiences of trauma and burnout at overdose prevention sites")).toBe(article);
    const correction = rows.find((r) => r.title.endsWith('(vol 18, pg 1116, 2021)'))!.workId;
    expect(await db.select({ from: workRelations.fromWorkId, to: workRelations.toWorkId, type: workRelations.type }).from(workRelations)).toEqual([
      { from: correction, to: article, type: 'erratum-for' },
    ]);
  });
});
