import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { seeds, sourceRecords, works } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';
import { findReviewer, recordDecision } from '../../src/screening/record.js';
import { stageSeeds, syncSeeds } from '../../src/staging/seeds.js';
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
    const r = await stageBatch(t.database.db, ctx(), [rec({ sourceId: '34831839', pmid: '34831839', doi: 'https://doi.org/10.3390/IJERPH182212073.', title: protocol.seeds[0]!.title! })]);
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
    await stageBatch(t.database.db, ctx('crossref'), [rec({ source: 'crossref', sourceId: '10.1000/x', doi: '10.1000/x', pmid: undefined, title: 'Title of 1009' })]);
    await stageBatch(t.database.db, ctx(), [rec({ sourceId: '1009', pmid: '1009', doi: '10.1000/x' })]);
    const [w] = await t.database.db.select().from(works).where(eq(works.doi, '10.1000/x'));
    expect(w!.pmid).toBe('1009');
  });

  it('serialises concurrent staging of one review: one work per paper', async () => {
    const same = [rec({ sourceId: '2001', pmid: '2001', doi: '10.2000/z' })];
    await Promise.all([
      stageBatch(t.database.db, ctx('pubmed'), same),
      stageBatch(t.database.db, ctx('europepmc'), [rec({ source: 'europepmc', sourceId: 'X', doi: '10.2000/Z', title: 'Title of 2001' })]),
      stageBatch(t.database.db, ctx('openalex'), [rec({ source: 'openalex', sourceId: 'W1', pmid: '2001', title: 'Title of 2001' })]),
    ]);
    const found = await t.database.db.execute(sql`select count(*)::int as n from works where doi = '10.2000/z' or pmid = '2001'`);
    expect((found as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
  });

  it('flags an included study whose retraction was staged before its inclusion, and makes a screened candidate a seed once declared one', async () => {
    const title = 'Naloxone vending machines in a regional city: an evaluation';
    const [article] = (await stageBatch(t.database.db, ctx(), [rec({ sourceId: '4001', pmid: '4001', title })])).createdWorkIds;
    const [notice] = (await stageBatch(t.database.db, ctx(), [rec({ sourceId: '4002', pmid: '4002', title: `Retraction notice to: ${title}`, flags: { ...NO_FLAGS, retractionNotice: true }, relations: [{ type: 'retraction-of', pmid: '4001' }] })])).createdWorkIds;
    const reviewer = (await findReviewer(t.database.db, protocol.id, 'reviewer@example.org'))!;
    const decide = (workId: number, decision: 'include' | 'exclude') => recordDecision(t.database.db, { workId, reviewerId: reviewer.id, decision, reason: null, channel: 'cli', tokenId: null });
    await decide(article!, 'include');
    const attention = async (id: number) => (await t.database.db.select({ attention: works.attention, origin: works.origin, status: works.status }).from(works).where(eq(works.id, id)))[0];
    expect(await attention(article!)).toEqual({ attention: `retraction-of work ${notice}`, origin: 'candidate', status: 'included' });

    const study = rec({ sourceId: '4010', pmid: '4010', title: 'Peer workers at supervised consumption sites: a qualitative study' });
    const [screened] = (await stageBatch(t.database.db, ctx(), [study])).createdWorkIds;
    await decide(screened!, 'exclude');
    await stageSeeds(t.database.db, protocol.id, 'original-review', [{ record: { ...study, source: 'original-review' } }]);
    expect(await attention(screened!)).toEqual({ attention: null, origin: 'seed', status: 'included' });
  });

  it("fills a work's empty fields from a later copy (an abstract to screen by), never one it has, and touches nothing when there is nothing to fill", async () => {
    const title = 'Overdose response among peer workers in rural Appalachia';
    const [id] = (await stageBatch(t.database.db, ctx('crossref'), [rec({ source: 'crossref', sourceId: '10.5000/a', doi: '10.5000/a', title, journal: 'Harm Reduct J' })])).createdWorkIds;
    const row = async () => (await t.database.db.select().from(works).where(eq(works.id, id!)))[0]!;
    await stageBatch(t.database.db, ctx(), [rec({ sourceId: '5001', pmid: '5001', doi: '10.5000/a', title, journal: 'Harm Reduction Journal', abstract: 'Background: peers respond.', volume: '18', pages: '44', year: 2021, issn: ['1477-7517'] })]);
    const filled = await row();
    expect(filled).toMatchObject({ journal: 'Harm Reduct J', abstract: 'Background: peers respond.', volume: '18', pages: '44', year: 2021, issn: ['1477-7517'], pmid: '5001' });
    await stageBatch(t.database.db, ctx('openalex'), [rec({ source: 'openalex', sourceId: 'W5', doi: '10.5000/a', title, abstract: 'Another abstract.', volume: '18' })]);
    expect(await row()).toEqual(filled);
  });

  it('keeps apart two congress abstracts under one supplement DOI, and asks about a shared PMID on another paper', async () => {
    const supplement = { doi: '10.1111/dar.13001', journal: 'Drug and Alcohol Review', volume: '40', issue: 'S1' };
    await stageBatch(t.database.db, ctx('embase'), [rec({ source: 'embase', sourceId: 'E1', ...supplement, title: 'Peer-delivered naloxone training in regional Victoria', authors: [{ family: 'Ngata', initials: 'R' }] })]);
    const second = await stageBatch(t.database.db, ctx('scopus'), [
      rec({ source: 'scopus', sourceId: 'S1', ...supplement, title: 'Hepatitis C treatment uptake among clients of needle and syringe programmes', authors: [{ family: 'Ellery', initials: 'P' }] }),
    ]);
    expect(second).toMatchObject({ newWorks: 1, duplicates: 0 });
    await stageBatch(t.database.db, ctx(), [rec({ sourceId: '3001', pmid: '3001', title: 'Overdose response training for peer workers in shelters' })]);
    const wrongPmid = await stageBatch(t.database.db, ctx('openalex'), [rec({ source: 'openalex', sourceId: 'W9', pmid: '3001', title: 'Soil microbial diversity under drought' })]);
    expect(wrongPmid).toMatchObject({ newWorks: 1, uncertain: 1 });
    const asked = await t.database.db.execute(sql`select reason from match_reviews mr join works w on w.id in (mr.work_a, mr.work_b) where w.pmid = '3001' and w.title like 'Overdose%'`);
    expect((asked as unknown as { rows: { reason: string }[] }).rows).toEqual([{ reason: 'pmid-title-mismatch' }]);
  });
});
