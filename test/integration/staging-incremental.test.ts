import { join } from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { listCandidates } from '../../src/db/queries/candidates.js';
import { syncProtocol } from '../../src/db/queries/reviews.js';
import { auditLog, matchReviews, reviewers, reviews, screeningDecisions, sourceRecords, workBlockKeys, workRelations, works } from '../../src/db/schema/index.js';
import { BLOCK_KEYS_VERSION } from '../../src/dedup/blocking.js';
import { packageRoot } from '../../src/paths.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';
import { refreshBlockKeys } from '../../src/staging/block-keys.js';
import { decideMatch } from '../../src/staging/decide.js';
import { stageBatch } from '../../src/staging/stage.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
const authors = [{ family: 'Okafor', initials: 'CN' }, { family: 'Lindqvist', initials: 'A' }, { family: 'Brennan', initials: 'M' }];
const rec = (source: string, sourceId: string, over: Partial<SourceRecord>): SourceRecord => ({ source, sourceId, title: '', authors, flags: NO_FLAGS, ...over });

describe('incremental matching in staging', () => {
  let t: TestDatabase;
  const db = () => t.database.db;
  const stage = (source: string, records: SourceRecord[], origin?: 'seed') => stageBatch(db(), { reviewId: protocol.id, source, runId: null, origin }, records);
  const workOf = async (source: string, sourceId: string) =>
    (await db().select({ workId: sourceRecords.workId }).from(sourceRecords).where(and(eq(sourceRecords.source, source), eq(sourceRecords.sourceId, sourceId))))[0]!.workId;
  const work = async (id: number) => (await db().select().from(works).where(eq(works.id, id)))[0]!;

  beforeAll(async () => {
    t = await createTestDatabase();
    await syncProtocol(db(), protocol);
  });
  afterAll(async () => t.drop());

  it('links a record without identifiers to the stored work it duplicates, and the screening decision carries over', async () => {
    const article = { title: 'Peer-delivered naloxone training and overdose reversal in rural Appalachia: a cohort study', journal: 'Addiction', year: 2021, volume: '116', pages: '1023-1031' };
    await stage('pubmed', [rec('pubmed', '900001', { ...article, pmid: '900001', doi: '10.1111/add.900001' })]);
    const id = await workOf('pubmed', '900001');
    await db().update(works).set({ status: 'excluded' }).where(eq(works.id, id));
    const r = await stage('scopus', [rec('scopus', 'S1', { ...article, title: 'PEER DELIVERED NALOXONE TRAINING AND OVERDOSE REVERSAL IN RURAL APPALACHIA - A COHORT STUDY', pages: '1023' })]);
    expect(r).toMatchObject({ newWorks: 0, duplicates: 1, uncertain: 0 });
    expect(await workOf('scopus', 'S1')).toBe(id);
    expect((await work(id)).status).toBe('excluded');
  });

  it('links a preprint and its journal version, and an erratum and its article, each still visible', async () => {
    const title = 'Peer recovery coaches in emergency departments after opioid overdose: a randomised trial';
    await stage('crossref', [rec('crossref', '10.1016/j.drugalcdep.2022.109999', { title, doi: '10.1016/j.drugalcdep.2022.109999', journal: 'Drug and Alcohol Dependence', year: 2022, volume: '235', pages: '109999' })]);
    await stage('europepmc', [
      rec('europepmc', 'PPR1', { title, doi: '10.1101/2021.06.01.21258000', journal: 'medRxiv', year: 2021, kind: 'preprint' }),
      rec('europepmc', 'ERR1', { title: `Erratum: ${title}`, journal: 'Drug and Alcohol Dependence', year: 2022, volume: '238', pages: '109500', authors: [] }),
    ]);
    const [article, preprint, erratum] = await Promise.all([workOf('crossref', '10.1016/j.drugalcdep.2022.109999'), workOf('europepmc', 'PPR1'), workOf('europepmc', 'ERR1')]);
    expect(new Set([article, preprint, erratum]).size).toBe(3);
    const rels = await db().select({ from: workRelations.fromWorkId, to: workRelations.toWorkId, type: workRelations.type }).from(workRelations);
    expect(rels).toEqual(expect.arrayContaining([{ from: preprint, to: article, type: 'version-of' }, { from: erratum, to: article, type: 'erratum-for' }]));
    const visible = (await listCandidates(db(), protocol.id, 'all')).map((c) => c.id);
    expect(visible).toEqual(expect.arrayContaining([article, preprint, erratum]));
  });

  it('flags an included work when a retraction notice or a retracted record reaches it', async () => {
    const title = 'Mobile overdose response teams staffed by people with lived experience';
    await stage('protocol', [rec('protocol', 'seed:x', { title, journal: 'Int J Drug Policy', year: 2020, volume: '80', pages: '102700' })], 'seed');
    const seed = await workOf('protocol', 'seed:x');
    expect((await work(seed)).attention).toBeNull();
    await stage('pubmed', [rec('pubmed', '900777', { title: `Retraction notice to "${title}"`, pmid: '900777', journal: 'Int J Drug Policy', year: 2023, flags: { ...NO_FLAGS, retractionNotice: true } })]);
    expect((await work(seed)).attention).toMatch(/retraction-of work \d+/);
    const [rel] = await db().select().from(workRelations).where(eq(workRelations.toWorkId, seed));
    expect(rel).toMatchObject({ type: 'retraction-of', fromWorkId: await workOf('pubmed', '900777') });
    // A source now marking the included article itself as retracted.
    await stage('pubmed', [rec('pubmed', '900555', { title: 'Peer naloxone kits in prisons', pmid: '900555' })], 'seed');
    const included = await workOf('pubmed', '900555');
    await stage('openalex', [rec('openalex', 'W900555', { title: 'Peer naloxone kits in prisons', pmid: '900555', flags: { ...NO_FLAGS, retracted: true } })]);
    expect((await work(included)).attention).toMatch(/^retracted/);
  });

  it('flags an included work when its own record comes back marked retracted, once however many sources say so', async () => {
    const article = { title: 'Overdose response training delivered by peers in homeless shelters', pmid: '900556', journal: 'Addiction', year: 2021 };
    await stage('pubmed', [rec('pubmed', '900556', article)], 'seed');
    const included = await workOf('pubmed', '900556');
    // The next run's overlap fetches the same PubMed record, now with "Retracted Publication".
    const r = await stage('pubmed', [rec('pubmed', '900556', { ...article, flags: { ...NO_FLAGS, retracted: true } })]);
    expect(r).toMatchObject({ newWorks: 0, duplicates: 1 });
    expect((await work(included)).attention).toBe('retracted (reported by a source record)');
    await stage('openalex', [rec('openalex', 'W900556', { ...article, flags: { ...NO_FLAGS, retracted: true } })]);
    await stage('pubmed', [rec('pubmed', '900556', { ...article, abstract: 'Now with an abstract.', flags: { ...NO_FLAGS, retracted: true } })]);
    expect((await work(included)).attention).toBe('retracted (reported by a source record)');
  });

  it("adds a notice whose reason is the start of one the work already has ('... work 12' beside '... work 123')", async () => {
    const title = 'Naloxone on the night bus: a peer outreach evaluation';
    await stage('protocol', [rec('protocol', 'seed:bus', { title, journal: 'Int J Drug Policy', year: 2019, volume: '70', pages: '1-9' })], 'seed');
    const seed = await workOf('protocol', 'seed:bus');
    const [{ next }] = (await t.query("select nextval(pg_get_serial_sequence('works', 'id'))::int + 1 as next")) as [{ next: number }];
    await db().update(works).set({ attention: `erratum-for work ${next}0` }).where(eq(works.id, seed));
    await stage('pubmed', [rec('pubmed', '900888', { title: `Erratum: ${title}`, pmid: '900888', journal: 'Int J Drug Policy', year: 2020, flags: { ...NO_FLAGS, erratum: true } })]);
    expect(await workOf('pubmed', '900888')).toBe(next);
    expect((await work(seed)).attention).toBe(`erratum-for work ${next}0; erratum-for work ${next}`);
  });

  it('lists an uncertain pair for a maintainer; a "different" decision is remembered, a "same" one merges', async () => {
    const title = 'Naloxone co-prescribing and peer outreach: outcomes of a statewide programme';
    await stage('openalex', [rec('openalex', 'W1', { title, journal: 'Addiction', year: 2019 })]);
    const r = await stage('psycinfo', [rec('psycinfo', 'P1', { title, journal: 'Journal of Substance Abuse Treatment', year: 2019 })]);
    expect(r).toMatchObject({ newWorks: 1, uncertain: 1 });
    const [w1, p1] = [await workOf('openalex', 'W1'), await workOf('psycinfo', 'P1')];
    const [pair] = await db().select().from(matchReviews).where(eq(matchReviews.workA, Math.min(w1, p1)));
    expect(pair).toMatchObject({ workB: Math.max(w1, p1), decision: null });

    await decideMatch(db(), protocol.id, pair!.id, 'different', 'maint@example.org');
    // Another copy of the second record: linked to it, and the decided pair is not proposed again.
    await stage('cinahl', [rec('cinahl', 'C1', { title, journal: 'Journal of Substance Abuse Treatment', year: 2019 })]);
    expect(await workOf('cinahl', 'C1')).toBe(p1);
    const pairs = await db().select().from(matchReviews).where(eq(matchReviews.workB, Math.max(w1, p1)));
    expect(pairs.map((p) => [p.id, p.decision])).toEqual([[pair!.id, 'different']]);
    await expect(decideMatch(db(), protocol.id, pair!.id, 'same', 'other@example.org')).rejects.toThrow(/already decided 'different'/);

    // A second uncertain pair, decided 'same': the newer work is merged into the older one.
    const other = 'Syringe service programmes as a gateway to peer-led overdose prevention';
    await stage('openalex', [rec('openalex', 'W2', { title: other, journal: 'Addiction', year: 2020 })]);
    await stage('scopus', [rec('scopus', 'S2', { title: other, journal: 'Harm Reduction Journal', year: 2020 })]);
    const [w2, s2] = [await workOf('openalex', 'W2'), await workOf('scopus', 'S2')];
    const [reviewer] = await db().select().from(reviewers).where(eq(reviewers.reviewId, protocol.id));
    await db().insert(screeningDecisions).values({ reviewId: protocol.id, workId: s2, reviewerId: reviewer!.id, decision: 'include', channel: 'cli' });
    await db().update(works).set({ status: 'included' }).where(eq(works.id, s2));
    const [second] = await db().select().from(matchReviews).where(eq(matchReviews.workB, s2));
    expect(await decideMatch(db(), protocol.id, second!.id, 'same', 'maint@example.org')).toMatchObject({ keptWorkId: w2, mergedWorkId: s2 });
    expect(await workOf('scopus', 'S2')).toBe(w2);
    expect((await work(w2)).status).toBe('included');
    expect((await work(s2)).mergedIntoId).toBe(w2);
    expect((await db().select().from(screeningDecisions).where(eq(screeningDecisions.workId, w2))).length).toBe(1);
    expect((await listCandidates(db(), protocol.id, 'all')).map((c) => c.id)).not.toContain(s2);
    expect(await db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, String(second!.id)))).toEqual([{ action: 'works.merged' }]);
    // Restaging the merged record changes nothing.
    expect(await stage('scopus', [rec('scopus', 'S2', { title: other, journal: 'Harm Reduction Journal', year: 2020 })])).toMatchObject({ newWorks: 0, duplicates: 1 });
  });

  it('takes two answers to one pair given at once one after the other: the second sees the first', async () => {
    const title = 'Peer outreach after non-fatal overdose: a two-city comparison';
    await stage('openalex', [rec('openalex', 'W3', { title, journal: 'Addiction', year: 2021 })]);
    await stage('psycinfo', [rec('psycinfo', 'P3', { title, journal: 'Journal of Urban Health', year: 2021 })]);
    const p3 = await workOf('psycinfo', 'P3');
    const [pair] = await db().select().from(matchReviews).where(eq(matchReviews.workB, p3));
    const answers = await Promise.allSettled([
      decideMatch(db(), protocol.id, pair!.id, 'same', 'a@example.org'),
      decideMatch(db(), protocol.id, pair!.id, 'different', 'b@example.org'),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(String((answers.find((a) => a.status === 'rejected') as PromiseRejectedResult).reason)).toMatch(/already decided/);
    const [decided] = await db().select().from(matchReviews).where(eq(matchReviews.id, pair!.id));
    const merged = (await work(p3)).mergedIntoId !== null;
    // What the pair says is what happened to the works, and the log has one answer.
    expect(decided!.decision).toBe(merged ? 'same' : 'different');
    expect(await db().select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, String(pair!.id)))).toHaveLength(1);
    // A pair of another review is not answered from this one.
    await expect(decideMatch(db(), 'another-review', pair!.id, 'same', 'a@example.org')).rejects.toThrow(/not found in review another-review/);
  });

  it('rebuilds block keys made by older code (or missing), once, so new records still find old works', async () => {
    const title = 'Community pharmacists as peer naloxone distributors: a pilot';
    const [old] = await db()
      .insert(works)
      .values({ reviewId: protocol.id, origin: 'candidate', status: 'included', title, titleKey: 'x', authors, year: 2018, journal: 'Addiction', volume: '113', pages: '500-509', flags: NO_FLAGS })
      .returning({ id: works.id });
    await db().insert(workBlockKeys).values({ reviewId: protocol.id, key: 'tp:key of an older version', workId: old!.id });
    await db().update(reviews).set({ blockKeysVersion: BLOCK_KEYS_VERSION - 1 }).where(eq(reviews.id, protocol.id));
    const live = await db().select({ id: works.id }).from(works).where(and(eq(works.reviewId, protocol.id), isNull(works.mergedIntoId)));
    const announced: number[] = [];
    expect(await refreshBlockKeys(db(), protocol.id, { chunk: 2, onRebuild: (n) => announced.push(n) })).toBe(live.length);
    expect(announced).toEqual([live.length]);
    expect(await refreshBlockKeys(db(), protocol.id, { onRebuild: (n) => announced.push(n) })).toBe(0);
    expect(announced).toHaveLength(1);
    const keys = await db().select({ key: workBlockKeys.key }).from(workBlockKeys).where(eq(workBlockKeys.workId, old!.id));
    expect(keys.map((k) => k.key)).not.toContain('tp:key of an older version');
    expect(keys.length).toBeGreaterThan(0);
    await stage('scopus', [rec('scopus', 'S9', { title: title.toUpperCase(), journal: 'Addiction', year: 2018, volume: '113', pages: '500-9' })]);
    expect(await workOf('scopus', 'S9')).toBe(old!.id);
  });
});
