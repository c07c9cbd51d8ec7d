import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { seeds, sourceRecords, works } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';
import { syncSeeds } from '../../src/staging/seeds.js';
import { stageBatch } from '../../src/staging/stage.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
const rec = (over: Partial<SourceRecord> & { sourceId: string }): SourceRecord => ({
  source: 'pubmed',
  title: `Title of ${over.sourceId}`,
  authors: [{ family: 'Doe', initials: 'J' }],
  flags: NO_FLAGS,
  ...over,
});

describe('staging', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await syncProtocol(t.database.db, protocol);
  });
  afterAll(async () => t.drop());

  const ctx = (source = 'pubmed', runId: number | null = null) => ({ reviewId: protocol.id, source, runId });
  const snapshot = async () => ({
    works: await t.database.db.select().from(works).orderBy(works.id),
    records: await t.database.db.select().from(sourceRecords).orderBy(sourceRecords.id),
  });

  it('stages seeds once, and records matching a seed are duplicates, not candidates', async () => {
    expect(await syncSeeds(t.database.db, protocol)).toBe(2);
    expect(await syncSeeds(t.database.db, protocol)).toBe(0);
    const seedWorks = await t.database.db.select().from(works).where(eq(works.origin, 'seed'));
    expect(seedWorks.map((w) => [w.pmid, w.status])).toEqual([
      ['34831839', 'included'],
      ['32381086', 'included'],
    ]);
    const r = await stageBatch(t.database.db, ctx(), [rec({ sourceId: '34831839', pmid: '34831839', doi: 'https://doi.org/10.3390/IJERPH182212073.' })]);
    expect(r).toMatchObject({ newWorks: 0, duplicates: 1 });
    expect((await t.database.db.select().from(seeds)).length).toBe(2);
  });

  it('links within a batch and across sources by DOI or PMID, and stages a rerun as all duplicates changing no row', async () => {
    const batch = [
      rec({ sourceId: '1001', pmid: '1001', doi: '10.1000/a' }),
      rec({ sourceId: '1002', pmid: '1002' }),
      rec({ sourceId: '1003', pmid: '1003', doi: '10.1000/c' }),
      rec({ sourceId: '1001', pmid: '1001', doi: '10.1000/a' }), // repeated within the batch
    ];
    expect(await stageBatch(t.database.db, ctx(), batch)).toMatchObject({ newWorks: 3, duplicates: 1 });
    // Another source: same DOI, different case and prefix; one with a conflicting DOI stays apart.
    const other = [
      rec({ source: 'europepmc', sourceId: 'MED/1001', doi: 'doi:10.1000/A' }),
      rec({ source: 'europepmc', sourceId: 'MED/1003', pmid: '1003', doi: '10.1000/other' }),
    ];
    expect(await stageBatch(t.database.db, ctx('europepmc'), other)).toMatchObject({ newWorks: 1, duplicates: 1 });
    const before = await snapshot();
    expect(await stageBatch(t.database.db, ctx(), batch)).toMatchObject({ newWorks: 0, duplicates: 4 });
    expect(await snapshot()).toEqual(before);
  });

  it('fills identifiers a work lacked and keeps a corrected record', async () => {
    await stageBatch(t.database.db, ctx(), [rec({ sourceId: '1002', pmid: '1002', doi: '10.1000/b', title: 'Corrected' })]);
    const [r] = await t.database.db.select().from(sourceRecords).where(eq(sourceRecords.sourceId, '1002'));
    expect(r!.record.title).toBe('Corrected');
    await stageBatch(t.database.db, ctx('crossref'), [rec({ source: 'crossref', sourceId: '10.1000/x', doi: '10.1000/x', pmid: undefined })]);
    await stageBatch(t.database.db, ctx(), [rec({ sourceId: '1009', pmid: '1009', doi: '10.1000/x' })]);
    const [w] = await t.database.db.select().from(works).where(eq(works.doi, '10.1000/x'));
    expect(w!.pmid).toBe('1009');
  });

  it('serialises concurrent staging of one review: one work per paper', async () => {
    const same = [rec({ sourceId: '2001', pmid: '2001', doi: '10.2000/z' })];
    await Promise.all([
      stageBatch(t.database.db, ctx('pubmed'), same),
      stageBatch(t.database.db, ctx('europepmc'), [rec({ source: 'europepmc', sourceId: 'X', doi: '10.2000/Z' })]),
      stageBatch(t.database.db, ctx('openalex'), [rec({ source: 'openalex', sourceId: 'W1', pmid: '2001' })]),
    ]);
    const found = await t.database.db.execute(sql`select count(*)::int as n from works where doi = '10.2000/z' or pmid = '2001'`);
    expect((found as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
  });
});
