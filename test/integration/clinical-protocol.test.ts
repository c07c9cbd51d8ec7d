// A review unlike the shipped one (test/fixtures/protocols/opioid-taper.yaml: MeSH, a NOT with
// publication types and the animal filter, publication years, four languages, all four sources) driven through `run --once` against the
// four HTTP fakes, then with the shipped review configured beside it. The PubMed and Europe PMC
// fakes return their whole window, so what they are sent is checked; OpenAlex and Crossref apply
// the year and language filters they are sent, and the local check applies the rest.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { packageRoot } from '../../src/paths.js';
import { compileEuropePmc } from '../../src/strategy/compile/europepmc.js';
import { compilePubmed } from '../../src/strategy/compile/pubmed.js';
import { runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { type FakeEutils, startFakeEutils } from '../fakes/eutils-server.js';
import { type FakeEuropePmc, startFakeEuropePmc } from '../fakes/europepmc-server.js';
import { type FakeOpenAlex, startFakeOpenAlex } from '../fakes/openalex-server.js';
import { type FakeCrossref, startFakeCrossref } from '../fakes/crossref-server.js';

const PROTOCOL = join(packageRoot, 'test/fixtures/protocols/opioid-taper.yaml');
const SHIPPED = join(packageRoot, 'config/reviews/peer-support-overdose.yaml');
const DAY = '2023-03-14';

interface Article {
  title: string;
  abstract: string;
  year: number;
  /** MEDLINE and ISO 639-1 codes. */
  lang: [string, string];
  /** PubMed's publication type and OpenAlex's type; Crossref gives journal-article. */
  type?: [string, string];
  mesh?: string[];
}

const ARTICLES: Article[] = [
  { title: 'Opioid tapering in chronic pain: a randomised trial', abstract: 'Long-term opioids were tapered; function improved.', year: 2023, lang: ['eng', 'en'] },
  { title: 'Réduction des opioïdes et douleur chronique', abstract: 'Opioid dose reduction in chronic pain in France.', year: 2023, lang: ['fre', 'fr'] },
  { title: 'Opioid tapering in cancer pain and chronic pain', abstract: 'Morphine dose reduction in survivors.', year: 2023, lang: ['eng', 'en'] },
  { title: 'Morphine discontinuation in chronic pain', abstract: 'A 1995 report indexed in 2023.', year: 1995, lang: ['eng', 'en'] },
  { title: 'Opioid tapering and chronic pain in Japan', abstract: 'Tapering opioids.', year: 2023, lang: ['jpn', 'ja'] },
  { title: 'Opioid tapering in chronic pain: time to act', abstract: 'An editorial.', year: 2023, lang: ['eng', 'en'], type: ['Editorial', 'editorial'] },
  { title: 'Opioid tapering in a rat model of chronic pain', abstract: 'Withdrawal in rats.', year: 2023, lang: ['eng', 'en'], mesh: ['Animals', 'Rats'] },
  { title: 'Opioid tapering in chronic pain: rats and patients', abstract: 'From model to clinic.', year: 2023, lang: ['eng', 'en'], mesh: ['Animals', 'Humans', 'Rats'] },
];
const pmid = (i: number) => String(37_100_000 + i);
const doi = (i: number) => `10.5555/clin.${i}`;

function pubmedXml(a: Article, i: number): string {
  return `<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">${pmid(i)}</PMID>
<Article PubModel="Electronic"><Journal><ISSN IssnType="Electronic">1234-5678</ISSN><JournalIssue CitedMedium="Internet"><Volume>1</Volume><Issue>${i + 1}</Issue><PubDate><Year>${a.year}</Year></PubDate></JournalIssue><Title>Pain Journal</Title></Journal>
<ArticleTitle>${a.title}.</ArticleTitle><ELocationID EIdType="doi" ValidYN="Y">${doi(i)}</ELocationID><Abstract><AbstractText>${a.abstract}</AbstractText></Abstract>
<AuthorList CompleteYN="Y"><Author ValidYN="Y"><LastName>Doe${i}</LastName><ForeName>J</ForeName><Initials>J</Initials></Author></AuthorList><Language>${a.lang[0]}</Language><PublicationTypeList><PublicationType UI="D016428">${a.type?.[0] ?? 'Journal Article'}</PublicationType></PublicationTypeList></Article>
${a.mesh ? `<MeshHeadingList>${a.mesh.map((m) => `<MeshHeading><DescriptorName MajorTopicYN="N">${m}</DescriptorName></MeshHeading>`).join('')}</MeshHeadingList>` : ''}
</MedlineCitation><PubmedData><History><PubMedPubDate PubStatus="entrez"><Year>2023</Year><Month>3</Month><Day>14</Day></PubMedPubDate></History><PublicationStatus>epublish</PublicationStatus>
<ArticleIdList><ArticleId IdType="pubmed">${pmid(i)}</ArticleId><ArticleId IdType="doi">${doi(i)}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>`;
}

function europePmcResult(a: Article, i: number): Record<string, unknown> {
  return {
    id: pmid(i), source: 'MED', pmid: pmid(i), doi: doi(i), title: `${a.title}.`,
    authorList: { author: [{ fullName: `Doe${i} J`, lastName: `Doe${i}`, initials: 'J' }] },
    journalInfo: { volume: '1', issue: String(i + 1), yearOfPublication: a.year, journal: { title: 'Pain Journal', issn: '1234-5678' } },
    pubYear: String(a.year), abstractText: a.abstract, language: a.lang[0], pubTypeList: { pubType: [a.type?.[0] ?? 'Journal Article'] }, firstIndexDate: DAY,
    ...(a.mesh ? { meshHeadingList: { meshHeading: a.mesh.map((descriptorName) => ({ descriptorName, majorTopic_YN: 'N' })) } } : {}),
  };
}

function openAlexWork(a: Article, i: number): Record<string, unknown> & { id: string; created_date: string } {
  const index: Record<string, number[]> = {};
  a.abstract.split(' ').forEach((w, k) => (index[w] = [...(index[w] ?? []), k]));
  return {
    id: `https://openalex.org/W77${i}`, doi: `https://doi.org/${doi(i)}`, title: a.title, display_name: a.title, publication_year: a.year,
    ids: { openalex: `https://openalex.org/W77${i}`, doi: `https://doi.org/${doi(i)}`, pmid: `https://pubmed.ncbi.nlm.nih.gov/${pmid(i)}` },
    language: a.lang[1], type: a.type?.[1] ?? 'article', type_crossref: 'journal-article', is_retracted: false,
    ...(a.mesh ? { mesh: a.mesh.map((descriptor_name) => ({ descriptor_name, is_major_topic: false })) } : {}),
    primary_location: { source: { display_name: 'Pain Journal', issn_l: '1234-5678', issn: ['1234-5678'], type: 'journal' } },
    authorships: [{ author: { display_name: `J Doe${i}` }, raw_author_name: `J Doe${i}` }],
    biblio: { volume: '1', issue: String(i + 1) }, abstract_inverted_index: index, created_date: DAY,
  };
}

const parts = (day: string) => ({ 'date-parts': [day.split('-').map(Number)], 'date-time': `${day}T06:00:00Z` });
function crossrefItem(a: Article, i: number): Record<string, unknown> {
  return {
    DOI: doi(i), type: 'journal-article', title: [a.title], 'container-title': ['Pain Journal'], ISSN: ['1234-5678'],
    author: [{ given: 'J', family: `Doe${i}`, sequence: 'first', affiliation: [] }], volume: '1', issue: String(i + 1),
    issued: { 'date-parts': [[a.year]] }, abstract: `<jats:p>${a.abstract}</jats:p>`, language: a.lang[1], indexed: parts(DAY), created: parts(DAY),
  };
}

describe('a clinical protocol with MeSH, NOT, publication types, the animal filter, years and four languages, through all four sources', () => {
  let t: TestDatabase;
  let pubmed: FakeEutils;
  let epmc: FakeEuropePmc;
  let openalex: FakeOpenAlex;
  let crossref: FakeCrossref;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = await createTestDatabase();
    pubmed = await startFakeEutils({ records: ARTICLES.map((a, i) => ({ pmid: pmid(i), edat: DAY, xml: pubmedXml(a, i) })) });
    epmc = await startFakeEuropePmc({ records: ARTICLES.map((a, i) => ({ firstIndexDate: DAY, result: europePmcResult(a, i) })) });
    openalex = await startFakeOpenAlex({ works: ARTICLES.map(openAlexWork), requireKey: 'k' });
    crossref = await startFakeCrossref({ items: ARTICLES.map(crossrefItem) });
    env = {
      DATABASE_URL: t.url,
      REVIEW_CONFIG: PROTOCOL,
      EUTILS_BASE_URL: pubmed.baseUrl,
      EUROPEPMC_BASE_URL: epmc.baseUrl,
      OPENALEX_BASE_URL: openalex.baseUrl,
      OPENALEX_API_KEY: 'k',
      CROSSREF_BASE_URL: crossref.baseUrl,
    };
  });
  afterAll(async () => {
    await Promise.all([pubmed.close(), epmc.close(), openalex.close(), crossref.close()]);
    await t.drop();
  });

  it('sends PubMed and Europe PMC the NOT, years and languages, and stages from OpenAlex and Crossref only what they leave in', async () => {
    const r = await runCli(['run', '--once', '--json', '--from', DAY, '--to', DAY], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { sources: { source: string; status: string; fetched: number; warnings: string[] }[] };
    expect(out.sources.map((s) => [s.source, s.status, s.fetched])).toEqual([
      ['pubmed', 'ok', 8],
      ['europepmc', 'ok', 8],
      ['openalex', 'ok', 3],
      ['crossref', 'ok', 5],
    ]);
    const strategy = loadProtocol(PROTOCOL).strategy;
    const term = pubmed.log.find((l) => l.path.endsWith('/esearch.fcgi'))!.params.term!;
    expect(term).toBe(compilePubmed(strategy));
    expect(term).toContain(' OR "Opioid-Related Disorders/prevention and control"[Mesh] OR "Morphine"[Mesh:NoExp]) AND (');
    expect(term.endsWith(' AND (english[la] OR french[la] OR german[la] OR spanish[la]) AND 2000:3000[dp]) NOT ("cancer pain"[tiab] OR "palliative care"[tiab] OR "Neoplasms"[Mesh] OR "Editorial"[pt] OR "Comment"[pt] OR "Letter"[pt] OR ("Animals"[Mesh] NOT "Humans"[Mesh]))')).toBe(true);
    const query = epmc.log[0]!.params.query!;
    expect(query.startsWith(`(${compileEuropePmc(strategy)}) AND FIRST_IDATE:`)).toBe(true);
    expect(query).toContain('KW:"Opioid-Related Disorders" OR KW:Morphine)');
    expect(query).toContain(
      ' AND PUB_YEAR:[2000 TO 3000]) NOT (TITLE_ABS:"cancer pain" OR TITLE_ABS:"palliative care" OR KW:Neoplasms OR PUB_TYPE:Editorial OR PUB_TYPE:Comment OR PUB_TYPE:Letter OR (KW:Animals NOT KW:Humans))',
    );
    expect(openalex.log[0]!.params.filter).toContain(',language:en|fr|de|es,from_publication_date:2000-01-01,type:!editorial,type:!letter');
    expect(crossref.log[0]!.params.filter).toContain(',from-pub-date:2000');
    expect(out.sources[3]!.warnings[0]).toBe('crossref: the MeSH headings of not block "cancer" leave out no Crossref record, which carries none');
    // OpenAlex has a type for an editorial and a letter, not for a comment; Crossref for none of them, nor MeSH for the unless.
    expect(out.sources[2]!.warnings).toContain('openalex: publication type "Comment" of not block "opinion" has no OpenAlex type of the same meaning and leaves out no record');
    expect(out.sources[3]!.warnings).toContain('crossref: publication type "Editorial" of not block "opinion" has no Crossref type of the same meaning and leaves out no record');
    expect(out.sources[3]!.warnings).toContain('crossref: not block "animal studies" leaves out no record: its unless needs MeSH headings, which Crossref records do not carry');
    const works = await t.query<{ doi: string; sources: string }>(
      `select w.doi, string_agg(r.source, ',' order by r.source) as sources
       from works w join source_records r on r.work_id = w.id where w.origin = 'candidate' group by w.id, w.doi order by w.doi`,
    );
    expect(works).toEqual([
      { doi: doi(0), sources: 'crossref,europepmc,openalex,pubmed' },
      { doi: doi(1), sources: 'crossref,europepmc,openalex,pubmed' }, // French, an allowed language
      { doi: doi(2), sources: 'europepmc,pubmed' }, // cancer pain: the NOT
      { doi: doi(3), sources: 'europepmc,pubmed' }, // published in 1995
      { doi: doi(4), sources: 'europepmc,pubmed' }, // Japanese
      { doi: doi(5), sources: 'crossref,europepmc,pubmed' }, // an editorial: OpenAlex says so, Crossref cannot
      { doi: doi(6), sources: 'crossref,europepmc,pubmed' }, // in rats alone: OpenAlex has the MeSH, Crossref not
      { doi: doi(7), sources: 'crossref,europepmc,openalex,pubmed' }, // in rats and in humans: kept
    ]);
  });

  it('beside the shipped review, asks for --review where one is needed and reports both where not', async () => {
    const both = { ...env, REVIEW_CONFIG: `${PROTOCOL},${SHIPPED}` };
    const refused = await runCli(['export', '--format', 'csv'], both);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--review is required when several protocols are configured (opioid-taper, peer-support-overdose)');
    const csv = await runCli(['export', '--format', 'csv', '--review', 'opioid-taper'], both);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.trim().split('\n')).toHaveLength(1 + ARTICLES.length);
    const status = await runCli(['status', '--json'], both);
    expect(status.code, status.stderr).toBe(0);
    const reviews = (JSON.parse(status.stdout) as { reviews: { review: string }[] }).reviews.map((r) => r.review);
    expect(reviews).toEqual(['opioid-taper', 'peer-support-overdose']);
  });
});
