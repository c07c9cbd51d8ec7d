// Rechecking the included studies: a cycle over PubMed fetches their current records by PMID, and
// a study retracted or corrected since it was found is flagged for the maintainers, even when no
// notice falls in the search window. The real E-utilities client against the HTTP fake.
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbContext } from '../../src/context.js';
import { works } from '../../src/db/schema/index.js';
import { NO_FLAGS } from '../../src/records/types.js';
import { runCycle } from '../../src/runs/cycle.js';
import { createPubmedSource } from '../../src/sources/pubmed/source.js';
import { stageSeeds } from '../../src/staging/seeds.js';
import { startFakeEutils, type FakeEutils } from '../fakes/eutils-server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { openReview, reviewEnv, writeProtocol } from '../helpers/review.js';

/** A PubMed record as efetch returns it, with the publication types and corrections given. */
function article(pmid: string, title: string, extra: { types?: string[]; corrections?: [string, string][] } = {}): string {
  const types = ['Journal Article', ...(extra.types ?? [])].map((t) => `<PublicationType>${t}</PublicationType>`).join('');
  const corrections = extra.corrections?.length
    ? `<CommentsCorrectionsList>${extra.corrections.map(([type, id]) => `<CommentsCorrections RefType="${type}"><RefSource>x</RefSource><PMID Version="1">${id}</PMID></CommentsCorrections>`).join('')}</CommentsCorrectionsList>`
    : '';
  return `<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">${pmid}</PMID><Article PubModel="Print"><Journal><JournalIssue><Volume>9</Volume><PubDate><Year>2018</Year></PubDate></JournalIssue><Title>Harm Reduction Journal</Title></Journal><ArticleTitle>${title}</ArticleTitle><AuthorList><Author><LastName>Okafor</LastName><Initials>C</Initials></Author></AuthorList><Language>eng</Language><PublicationTypeList>${types}</PublicationTypeList></Article>${corrections}</MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>2018</Year><Month>3</Month><Day>1</Day></PubMedPubDate></History><ArticleIdList><ArticleId IdType="pubmed">${pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>`;
}

describe('rechecking the included studies', () => {
  let t: TestDatabase;
  let ctx: DbContext;
  let fake: FakeEutils;
  const titles = { retracted: 'Peer naloxone distribution in rural clinics', corrected: 'Overdose response training by peers', quiet: 'Drug checking run by people who use drugs' };
  beforeAll(async () => {
    t = await createTestDatabase();
    ctx = await openReview(reviewEnv(t.url, writeProtocol({ id: 'rchk', reviewers: [{ name: 'Mia', email: 'mia@example.org', role: 'maintainer' }] })));
    // Entered in 2018: no search window of the test reaches them, only the recheck by PMID.
    const records = [
      { pmid: '29000001', edat: '2018-03-01', xml: article('29000001', titles.retracted, { types: ['Retracted Publication'], corrections: [['RetractionIn', '39000001']] }) },
      { pmid: '29000002', edat: '2018-03-01', xml: article('29000002', titles.corrected, { corrections: [['ErratumIn', '39000002']] }) },
      { pmid: '29000003', edat: '2018-03-01', xml: article('29000003', titles.quiet) },
    ];
    fake = await startFakeEutils({ records });
    // The original review's studies, known by PMID and title only.
    await stageSeeds(ctx.database.db, 'rchk', 'protocol', Object.entries(titles).map(([k, title], i) => ({
      record: { source: 'protocol', sourceId: `seed:${k}`, pmid: `2900000${i + 1}`, title, authors: [], flags: NO_FLAGS },
    })));
  });
  afterAll(async () => {
    await fake.close();
    await ctx.close();
    await t.drop();
  });

  const attention = async () =>
    Object.fromEntries((await ctx.database.db.select({ pmid: works.pmid, attention: works.attention }).from(works).where(inArray(works.pmid, ['29000001', '29000002', '29000003']))).map((w) => [w.pmid, w.attention]));
  const cycle = () =>
    runCycle({ db: ctx.database.db, protocol: ctx.protocols[0]!, sources: [createPubmedSource({ baseUrl: fake.baseUrl, tool: 'test' })], from: '2025-01-01', to: '2025-01-31', trigger: 'cli', log: ctx.log });

  it('flags a study its PubMed record now calls retracted or corrected, once, and stages nothing new', async () => {
    const r = await cycle();
    expect(r.sources.map((s) => [s.status, s.identified, s.new])).toEqual([['ok', 0, 0]]);
    expect(await attention()).toEqual({
      '29000001': 'retracted (reported by a source record)',
      '29000002': 'erratum in PMID 39000002 (reported by a source record)',
      '29000003': null,
    });
    // One efetch by id list, after the search.
    const byId = fake.log.filter((e) => e.path.endsWith('/efetch.fcgi') && e.params.id);
    expect(byId.map((e) => [e.method, e.params.id!.split(',').sort()])).toEqual([['POST', ['29000001', '29000002', '29000003']]]);
    const again = await cycle();
    expect(again.staged).toBe(0);
    expect(await attention()).toEqual({
      '29000001': 'retracted (reported by a source record)',
      '29000002': 'erratum in PMID 39000002 (reported by a source record)',
      '29000003': null,
    });
    // Still the original review's studies, not candidates.
    const seeds = await ctx.database.db.select({ origin: works.origin, status: works.status }).from(works).where(eq(works.reviewId, 'rchk'));
    expect(seeds.every((w) => w.origin === 'seed' && w.status === 'included')).toBe(true);
  });
});
