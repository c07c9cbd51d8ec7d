// The same articles from all four APIs in one cycle: each API's real client against its HTTP fake,
// each article rendered in that API's own schema, staged into real Postgres. Every article must
// end up as one work holding four source records, and a preprint of one of them as its own work
// linked to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recallCheck } from '../../src/db/queries/recall-check.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type FakeEutils, startFakeEutils } from '../fakes/eutils-server.js';
import { type FakeEuropePmc, startFakeEuropePmc } from '../fakes/europepmc-server.js';
import { type FakeOpenAlex, startFakeOpenAlex } from '../fakes/openalex-server.js';
import { type FakeCrossref, startFakeCrossref } from '../fakes/crossref-server.js';

interface Article {
  pmid: string;
  doi: string;
  title: string;
  abstract: string;
  authors: Array<{ family: string; given: string; initials: string }>;
  journal: string;
  issn: string;
  volume: string;
  issue: string;
  firstPage: string;
  lastPage: string;
  year: number;
}

const DAY = '2023-03-14';
const ARTICLES: Article[] = [1, 2, 3].map((i) => ({
  pmid: String(37_000_000 + i),
  doi: `10.1186/s12954-023-0000${i}`,
  title: [
    'Peer-delivered naloxone and opioid overdose response in rural clinics',
    'Lived experience workers at overdose prevention sites: a qualitative study',
    'Peer navigators after a non-fatal overdose: a randomised trial',
  ][i - 1]!,
  abstract: 'Peers who use drugs distributed naloxone kits; we report overdose reversals and referrals.',
  authors: [
    { family: 'Okafor', given: 'Chidi A', initials: 'CA' },
    { family: 'Lindqvist', given: 'Maja', initials: 'M' },
  ],
  journal: 'Harm Reduction Journal',
  issn: '1477-7517',
  volume: '20',
  issue: String(i),
  firstPage: String(100 * i),
  lastPage: String(100 * i + 9),
  year: 2023,
}));

function pubmedXml(a: Article): string {
  const authors = a.authors
    .map((p) => `<Author ValidYN="Y"><LastName>${p.family}</LastName><ForeName>${p.given}</ForeName><Initials>${p.initials}</Initials></Author>`)
    .join('');
  return `<PubmedArticle><MedlineCitation Status="PubMed-not-MEDLINE" Owner="NLM"><PMID Version="1">${a.pmid}</PMID>
<Article PubModel="Electronic"><Journal><ISSN IssnType="Electronic">${a.issn}</ISSN><JournalIssue CitedMedium="Internet"><Volume>${a.volume}</Volume><Issue>${a.issue}</Issue><PubDate><Year>${a.year}</Year></PubDate></JournalIssue><Title>${a.journal}</Title><ISOAbbreviation>Harm Reduct J</ISOAbbreviation></Journal>
<ArticleTitle>${a.title}.</ArticleTitle><Pagination><StartPage>${a.firstPage}</StartPage><EndPage>${a.lastPage}</EndPage><MedlinePgn>${a.firstPage}-${a.lastPage}</MedlinePgn></Pagination>
<ELocationID EIdType="doi" ValidYN="Y">${a.doi}</ELocationID><Abstract><AbstractText>${a.abstract}</AbstractText></Abstract>
<AuthorList CompleteYN="Y">${authors}</AuthorList><Language>eng</Language><PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList></Article>
</MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>2023</Year><Month>3</Month><Day>14</Day></PubMedPubDate></History><PublicationStatus>epublish</PublicationStatus>
<ArticleIdList><ArticleId IdType="pubmed">${a.pmid}</ArticleId><ArticleId IdType="doi">${a.doi}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>`;
}

function europePmcResult(a: Article): Record<string, unknown> {
  return {
    id: a.pmid, source: 'MED', pmid: a.pmid, doi: a.doi, title: `${a.title}.`,
    authorList: { author: a.authors.map((p) => ({ fullName: `${p.family} ${p.initials}`, firstName: p.given, lastName: p.family, initials: p.initials })) },
    journalInfo: { issue: a.issue, volume: a.volume, yearOfPublication: a.year, journal: { title: a.journal, isoabbreviation: 'Harm Reduct J', issn: a.issn } },
    pubYear: String(a.year), pageInfo: `${a.firstPage}-${a.lastPage}`, abstractText: a.abstract, language: 'eng',
    pubTypeList: { pubType: ['Journal Article'] }, firstIndexDate: DAY,
  };
}

function openAlexWork(a: Article, n: number): Record<string, unknown> & { id: string; created_date: string } {
  const index: Record<string, number[]> = {};
  a.abstract.split(' ').forEach((w, i) => (index[w] = [...(index[w] ?? []), i]));
  return {
    id: `https://openalex.org/W43${n}`, doi: `https://doi.org/${a.doi}`, title: a.title, display_name: a.title, publication_year: a.year,
    ids: { openalex: `https://openalex.org/W43${n}`, doi: `https://doi.org/${a.doi}`, pmid: `https://pubmed.ncbi.nlm.nih.gov/${a.pmid}` },
    language: 'en', type: 'article', type_crossref: 'journal-article', is_retracted: false,
    primary_location: { source: { display_name: a.journal, issn_l: a.issn, issn: [a.issn], type: 'journal' } },
    authorships: a.authors.map((p) => ({ author: { display_name: `${p.given} ${p.family}`, orcid: null }, raw_author_name: `${p.given} ${p.family}` })),
    biblio: { volume: a.volume, issue: a.issue, first_page: a.firstPage, last_page: a.lastPage },
    abstract_inverted_index: index, created_date: DAY,
  };
}

const parts = (day: string) => ({ 'date-parts': [day.split('-').map(Number)], 'date-time': `${day}T06:00:00Z` });

function crossrefItem(a: Article): Record<string, unknown> {
  return {
    DOI: a.doi, type: 'journal-article', title: [a.title], 'container-title': [a.journal], ISSN: [a.issn],
    author: a.authors.map((p) => ({ given: p.given, family: p.family, sequence: 'additional', affiliation: [] })),
    volume: a.volume, issue: a.issue, page: `${a.firstPage}-${a.lastPage}`, issued: { 'date-parts': [[a.year]] },
    abstract: `<jats:p>${a.abstract}</jats:p>`, language: 'en', indexed: parts(DAY), created: parts(DAY),
  };
}

/** The first article's preprint, posted months earlier, on Crossref only. */
const PREPRINT = {
  DOI: '10.21203/rs.3.rs-2000001/v1', type: 'posted-content', subtype: 'preprint', institution: [{ name: 'Research Square' }],
  title: [`${ARTICLES[0]!.title}`], abstract: `<jats:p>${ARTICLES[0]!.abstract}</jats:p>`,
  author: ARTICLES[0]!.authors.map((p) => ({ given: p.given, family: p.family, sequence: 'additional', affiliation: [] })),
  posted: { 'date-parts': [[2022, 9, 1]] }, issued: { 'date-parts': [[2022, 9, 1]] }, language: 'en',
  relation: { 'is-preprint-of': [{ 'id-type': 'doi', id: ARTICLES[0]!.doi, 'asserted-by': 'subject' }] },
  indexed: parts(DAY), created: parts(DAY),
};

describe('one cycle over PubMed, Europe PMC, OpenAlex and Crossref', () => {
  let t: TestDatabase;
  let pubmed: FakeEutils;
  let epmc: FakeEuropePmc;
  let openalex: FakeOpenAlex;
  let crossref: FakeCrossref;
  beforeAll(async () => {
    t = await createTestDatabase();
    pubmed = await startFakeEutils({ records: ARTICLES.map((a) => ({ pmid: a.pmid, edat: DAY, xml: pubmedXml(a) })) });
    epmc = await startFakeEuropePmc({ records: ARTICLES.map((a) => ({ firstIndexDate: DAY, result: europePmcResult(a) })) });
    openalex = await startFakeOpenAlex({ works: ARTICLES.map(openAlexWork), requireKey: 'k' });
    crossref = await startFakeCrossref({ items: [...ARTICLES.map(crossrefItem), PREPRINT] });
  });
  afterAll(async () => {
    await Promise.all([pubmed.close(), epmc.close(), openalex.close(), crossref.close()]);
    await t.drop();
  });
  const run = () =>
    runCli(['run', '--once', '--json', '--sources', 'pubmed,europepmc,openalex,crossref', '--from', DAY, '--to', DAY], {
      DATABASE_URL: t.url,
      EUTILS_BASE_URL: pubmed.baseUrl,
      EUROPEPMC_BASE_URL: epmc.baseUrl,
      OPENALEX_BASE_URL: openalex.baseUrl,
      OPENALEX_API_KEY: 'k',
      CROSSREF_BASE_URL: crossref.baseUrl,
    });

  it('stages each article once, with a source record from every API, and links the preprint', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.sources.map((s: { source: string; status: string; fetched: number; new: number }) => [s.source, s.status, s.fetched, s.new])).toEqual([
      ['pubmed', 'ok', 3, 3],
      ['europepmc', 'ok', 3, 0],
      ['openalex', 'ok', 3, 0],
      ['crossref', 'ok', 4, 1],
    ]);
    const works = await t.query<{ doi: string; sources: string }>(
      `select w.doi, string_agg(r.source, ',' order by r.source) as sources
       from works w join source_records r on r.work_id = w.id where w.origin = 'candidate' group by w.id, w.doi order by w.doi`,
    );
    expect(works).toEqual([
      ...ARTICLES.map((a) => ({ doi: a.doi, sources: 'crossref,europepmc,openalex,pubmed' })),
      { doi: PREPRINT.DOI, sources: 'crossref' },
    ]);
    const relations = await t.query<{ type: string; from_doi: string; to_doi: string }>(
      `select rel.type, f.doi as from_doi, w.doi as to_doi from work_relations rel
       join works f on f.id = rel.from_work_id join works w on w.id = rel.to_work_id`,
    );
    expect(relations).toEqual([{ type: 'version-of', from_doi: PREPRINT.DOI, to_doi: ARTICLES[0]!.doi }]);
  });

  it('finds known relevant papers by DOI (any spelling), PMID or, lacking both, title', async () => {
    const known = [
      { doi: `https://doi.org/${ARTICLES[1]!.doi.toUpperCase()}` },
      { title: `${ARTICLES[2]!.title.toUpperCase()}.` },
      { pmid: ARTICLES[0]!.pmid },
      { pmid: '1', note: 'never staged' },
    ];
    const check = await recallCheck(t.database.db, 'peer-support-overdose', known);
    expect(check.found.map((f) => f.status)).toEqual(['pending', 'pending', 'pending']);
    expect(check.missing).toEqual([{ pmid: '1', note: 'never staged' }]);
  });

  it('stages nothing new when the same window runs again', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).staged).toBe(0);
    expect(await t.query(`select count(*)::int as n from works where origin = 'candidate'`)).toEqual([{ n: 4 }]);
  });
});
