import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../src/errors.js';
import type { SourceRecord } from '../../src/records/types.js';
import { parsePubmedXml, parsePubmedXmlString } from '../../src/sources/pubmed/parse.js';

const SHARED = join(import.meta.dirname, '../../../shared/fixtures/eutils/efetch');
const HANDMADE = join(import.meta.dirname, '../fixtures/pubmed/handmade_notice_markup_book.xml');
const hasShared = existsSync(SHARED);
if (!hasShared) console.warn('skipping recorded-fixture tests: ../shared/fixtures absent (clone outside the workplace)');

function load(file: string): SourceRecord[] {
  return parsePubmedXmlString(readFileSync(join(SHARED, file), 'utf8'));
}
function one(file: string): SourceRecord {
  const recs = load(file);
  expect(recs).toHaveLength(1);
  return recs[0]!;
}
async function collect(chunks: Iterable<string | Uint8Array>, opts?: { maxRecordBytes?: number }) {
  const out: SourceRecord[] = [];
  for await (const r of parsePubmedXml(Readable.from(chunks), opts)) out.push(r);
  return out;
}

describe.skipIf(!hasShared)('recorded efetch fixtures', () => {
  it('maps every recorded efetch file and baseline excerpt without throwing, with own PMIDs', () => {
    const files = [
      ...readdirSync(SHARED).filter((f) => f.endsWith('.xml')),
      ...readdirSync(join(SHARED, 'baseline_updatefiles')).map((f) => `baseline_updatefiles/${f}`),
    ];
    expect(files.length).toBe(21);
    for (const f of files) {
      const xml = readFileSync(join(SHARED, f), 'utf8');
      const recs = parsePubmedXmlString(xml);
      const expected = (xml.match(/<(PubmedArticle|PubmedBookArticle)>/g) ?? []).length;
      expect(recs.map((r) => r.sourceId).filter(Boolean), f).toHaveLength(expected);
    }
  });

  it('11618220: no abstract, Year-only PubDate, MedlinePgn, MeSH, DOI from ArticleIdList', () => {
    const r = one('pubmed_11618220_no_abstract_historical_article.xml');
    expect(r).toMatchObject({
      source: 'pubmed', sourceId: '11618220', pmid: '11618220', doi: '10.1163/156853287x00032',
      title: 'Eroticism in late Ming, early Qing fiction: the beauteous realm and the sexual battlefield.',
      authors: [{ family: 'McMahon', initials: 'K', given: 'K' }],
      journal: "T'ung pao. T'oung pao", journalAbbrev: 'Toung Pao', issn: ['0082-5433'],
      volume: '73', issue: '4-5', pages: '217-64', year: 1987, language: ['eng'],
      publicationTypes: ['Historical Article', 'Journal Article'], entryDate: '1987-01-01', kind: 'article',
    });
    expect(r.abstract).toBeUndefined();
    expect(r.meshTerms).toEqual(['China', 'History, Early Modern 1451-1600', 'History, Modern 1601-', 'Literature', 'Sexual Behavior']);
    expect(r.flags).toEqual({ retracted: false, retractionNotice: false, erratum: false, expressionOfConcern: false });
  });

  it('16799037: 2004 DTD structured abstract and ErratumIn relation without PMID', () => {
    const r = one('pubmed_16799037_2004dtd_structured_erratumin.xml');
    expect(r.abstractSections?.map((s) => s.label)).toEqual(['PURPOSE', 'METHODS', 'RESULTS', 'CONCLUSIONS']);
    expect(r.abstract).toMatch(/^PURPOSE: To determine whether a scanning laser ophthalmoscope \(SLO\) is useful/);
    expect(r.abstract).toContain('\nCONCLUSIONS: The SLO is useful for in vivo imaging of rat RGCs');
    expect(r.relations).toEqual([{ type: 'erratum-in', note: 'Invest Ophthalmol Vis Sci. 2006 Oct;47(10):4198' }]);
    expect(r).toMatchObject({ journal: 'Investigative ophthalmology & visual science', year: 2006, pages: '2943-50', entryDate: '2006-06-27' });
    expect(r.flags.erratum).toBe(false); // the article has an erratum; it is not one
  });

  it('2012 pretty-printed file: two records, second without DOI, CommentsCorrections Cites ignored', () => {
    const [a, b] = load('pubmed_17284678_9997_2012_pretty.xml');
    expect([a!.pmid, a!.year, a!.pages, a!.entryDate, a!.doi, a!.pmcid]).toEqual(['17284678', 2007, '311-9', '2007-02-08', '10.1101/gr.5823007', 'PMC1800922']);
    expect(a!.authors).toHaveLength(33);
    expect(a!.relations).toBeUndefined();
    expect([b!.pmid, b!.year, b!.pages, b!.entryDate, b!.doi]).toEqual(['9997', 1976, '179-91', '1976-09-28', undefined]);
    expect(b!.title).toBe('Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin interaction.');
  });

  it('24349601: ELocationID DOI, PMC id, inline <i> flattened in abstract, keywords', () => {
    const r = one('pubmed_24349601_not_medline_pmc_inline_markup.xml');
    expect(r).toMatchObject({ doi: '10.1037/a0030292', pmcid: 'PMC3858957', title: 'Genes, Economics, and Happiness.', year: 2012, entryDate: '2013-12-19' });
    expect(r.abstract).toContain('the serotonin transporter gene (5-HTTLPR) and life satisfaction');
    expect(r.abstract).not.toContain('<i>');
    expect(r.keywords).toEqual(['5-HTTLPR', 'genetic association', 'life satisfaction', 'rs2020933', 'serotonin transporter gene', 'twin study']);
  });

  it('30158200: collective author, six labelled sections, <i>/<sup> flattened', () => {
    const r = one('pubmed_30158200_inline_markup_structured_collective.xml');
    expect(r.authors.filter((a) => a.collective)).toEqual([{ family: 'GEFOS/GENOMOS consortium and the 23andMe research team', collective: true }]);
    expect(r.abstractSections?.map((s) => s.label)).toEqual(['OBJECTIVES', 'DESIGN', 'SETTING', 'PARTICIPANTS', 'RESULTS', 'CONCLUSIONS']);
    expect(r.abstractSections?.[4]?.text).toContain('(eg, SOST, WNT16, and ESR1) or novel pathways ( FAM210A, GRB10, and ETS2)');
    expect(r.abstract).toContain('(95% confidence interval 1.48 to 1.63; P=1.5×10 -68)'); // the XML has a line break before <sup>
    expect(r).toMatchObject({ doi: '10.1136/bmj.k3225', pmcid: 'PMC6113773', journal: 'BMJ (Clinical research ed.)', year: 2018, entryDate: '2018-08-31' });
  });

  it('31746150: ORCID given as URL is normalised', () => {
    const r = one('pubmed_31746150_status_publisher_ahead_of_print.xml');
    expect(r.authors.map((a) => a.orcid).filter(Boolean)).toEqual(['0000-0001-9626-4489', '0000-0003-2617-9021']);
    expect(r).toMatchObject({ doi: '10.1002/mbo3.972', journal: 'MicrobiologyOpen', year: 2019, entryDate: '2019-11-21' });
  });

  it('32935693: numeric character references decoded in names; reference DOIs do not leak', () => {
    const r = one('pubmed_32935693_long_author_list_ncr_names.xml');
    expect(r.authors).toHaveLength(36);
    expect(r.authors).toContainEqual({ family: 'Montalbán-López', initials: 'M', given: 'Manuel' });
    expect(r.authors).toContainEqual({ family: 'Süssmuth', initials: 'RD', given: 'Roderich D' });
    expect(r).toMatchObject({ doi: '10.1039/d0np00027b', pmcid: 'PMC7864896', pages: '130-239', year: 2021, entryDate: '2020-09-16' });
  });

  it('33279447: empty ArticleTitle falls back to VernacularTitle with a warning', () => {
    const r = one('pubmed_33279447_publisher_status_no_title_no_abstract.xml');
    expect(r.title).toBe('Pere Barceló.');
    expect(r.warnings).toEqual(['ArticleTitle empty; title taken from VernacularTitle']);
    expect(r).toMatchObject({ doi: '10.1016/j.reuma.2020.11.001', year: 2020, entryDate: '2020-12-06' });
    expect(r.abstract).toBeUndefined();
  });

  it('34843274: CollectiveName mixed with personal authors', () => {
    const r = one('pubmed_34843274_collective_author_guideline.xml');
    expect(r.authors.find((a) => a.collective)).toEqual({ family: 'Guideline Development Panel for the Treatment of Depressive Disorders', collective: true });
    expect(r).toMatchObject({ doi: '10.1037/amp0000904', pages: '770-780', year: 2022, entryDate: '2021-11-29' });
  });

  it('35649368: corrected article carries an erratum-in relation with the erratum PMID', () => {
    const r = one('pubmed_35649368_corrected_article_erratumin.xml');
    expect(r.relations).toEqual([{ type: 'erratum-in', pmid: '35767954', note: 'Cell Rep. 2022 Jun 28;39(13):111044. doi: 10.1016/j.celrep.2022.111044.' }]);
    expect(r.flags).toMatchObject({ erratum: false, retracted: false });
    expect(r).toMatchObject({ doi: '10.1016/j.celrep.2022.110870', pages: '110870', year: 2022, entryDate: '2022-06-01' });
  });

  it('36987902: structured Norwegian abstract, ORCID, NCR-encoded Ø, two languages', () => {
    const r = one('pubmed_36987902_norwegian_vernacular_structured_orcid.xml');
    expect(r.title).toBe('Patients over 75 years admitted to the National Burn Centre, Haukeland University Hospital, 2000-19.');
    expect(r.abstractSections?.map((s) => s.label)).toEqual(['BACKGROUND', 'MATERIAL AND METHOD', 'RESULTS', 'INTERPRETATION']);
    expect(r.authors[0]).toEqual({ family: 'Bruserud', initials: 'Ø', given: 'Øyvind', orcid: '0000-0001-7093-6988' });
    expect(r.language).toEqual(['eng', 'nor']);
  });

  it('38048813: bracketed translated title is unbracketed', () => {
    const r = one('pubmed_38048813_vernacular_title_bracketed_german_editorial.xml');
    expect(r.title).toBe('A Broader Scope - Bio-Psycho-Social Medicine In Global Focus.');
    expect(r.language).toEqual(['ger']);
    expect(r.publicationTypes).toEqual(['Editorial']);
    expect(r.authors.map((a) => a.family)).toEqual(['Zipfel', 'Stengel', 'Erschens', 'Becker', 'Giel']);
  });

  it('38534005: structured guideline abstract, collective author and six ORCIDs', () => {
    const r = one('pubmed_38534005_structured_collective_orcid_inline_markup.xml');
    expect(r.authors).toHaveLength(9);
    expect(r.authors[0]).toEqual({ family: 'Kouri', initials: 'TT', given: 'Timo T', orcid: '0000-0002-3282-232X' });
    expect(r.authors.filter((a) => a.orcid)).toHaveLength(6);
    expect(r.authors.some((a) => a.collective && a.family.startsWith('Task and Finish Group for Urinalysis'))).toBe(true);
    expect(r.abstract).toMatch(/^BACKGROUND: The EFLM Task and Finish Group Urinalysis has updated/);
    expect(r.abstract).toContain('Aerococcus urinae, A. sanguinicola');
    expect(r).toMatchObject({ title: 'The EFLM European Urinalysis Guideline 2023.', doi: '10.1515/cclm-2024-0070', pages: '1653-1786', year: 2024 });
  });

  it('38833988: Published Erratum notice sets erratum flag and erratum-for relation', () => {
    const r = one('pubmed_38833988_published_erratum_notice_erratumfor.xml');
    expect(r.flags).toEqual({ retracted: false, retractionNotice: false, erratum: true, expressionOfConcern: false });
    expect(r.relations).toEqual([{ type: 'erratum-for', pmid: '33279609', note: 'Biochim Biophys Acta Mol Cell Res. 2021 Mar;1868(3):118918. doi: 10.1016/j.bbamcr.2020.118918.' }]);
    expect(r.title).toMatch(/^Corrigendum to "MageC2 protein is upregulated/);
    expect(r).toMatchObject({ doi: '10.1016/j.bbamcr.2024.119767', year: 2024, entryDate: '2024-06-04' });
  });

  it('7914452: Retracted Publication with RetractionIn -> retracted flag and relation', () => {
    const r = one('pubmed_7914452_retracted_publication_retractionin.xml');
    expect(r.flags).toEqual({ retracted: true, retractionNotice: false, erratum: false, expressionOfConcern: false });
    expect(r.relations).toEqual([{ type: 'retraction-in', pmid: '7550304', note: 'Garey CE, Schwarzman AL, Rise ML, Seyfried TN. Nat Genet. 1995 Sep;11(1):104' }]);
    expect(r).toMatchObject({ title: 'Ceruloplasmin gene defect associated with epilepsy in EL mice.', doi: '10.1038/ng0494-426', year: 1994, entryDate: '1994-04-01' });
  });

  it('batch of five: MedlineDate year, empty AbstractText skipped, unlabelled abstracts', () => {
    const recs = load('pubmed_batch5_medlinedate_collective_empty_abstracttext.xml');
    expect(recs.map((r) => [r.pmid, r.year, r.entryDate])).toEqual([
      ['35196497', 2022, '2022-02-23'], ['33278872', 2020, '2020-12-06'], ['24792780', 2014, '2014-05-06'],
      ['30158200', 2018, '2018-08-31'], ['151222', 1978, '1978-07-01'],
    ]);
    expect(recs[0]!.abstractSections).toBeUndefined();
    expect(recs[0]!.abstract).toMatch(/^The adipose tissue is a key site regulating energy metabolis/);
    expect(recs[0]!.title).toBe('SENP2 suppresses browning of white adipose tissues by de-conjugating SUMO from C/EBPβ.');
    expect(recs[1]!.abstractSections).toEqual([expect.objectContaining({ label: 'ABSTRACT' })]);
    expect(recs[2]!.abstractSections?.map((s) => s.label)).toEqual(['INTRODUCTION', 'OBJECTIVES', 'METHODS', 'RESULTS', 'CONCLUSION']);
  });

  it('book 20301295: whole book, BookTitle as title, editors as authors with a warning', () => {
    const r = one('pubmed_book_20301295_genereviews.xml');
    expect(r).toMatchObject({ kind: 'book', sourceId: '20301295', title: 'GeneReviews™', year: 1993, entryDate: '2010-03-20', language: ['eng'] });
    expect(r.authors.map((a) => a.family)).toEqual(['Pagon', 'Bird', 'Dolan', 'Stephens', 'Adam']);
    expect(r.warnings).toEqual(['no authors; the book editors are listed as authors']);
    expect(r.abstract).toMatch(/^GeneReviews are expert-authored, peer-reviewed disease descriptions/);
  });

  it('book 20301315: chapter with labelled sections, chapter authors, book title as container', () => {
    const r = one('pubmed_book_20301315_labelled_sections.xml');
    expect(r).toMatchObject({ kind: 'book-chapter', sourceId: '20301315', title: 'Giant Axonal Neuropathy', journal: 'GeneReviews', year: 1993, entryDate: '2010-03-20' });
    expect(r.authors).toEqual([{ family: 'Kuhlenbaumer', initials: 'G', given: 'Gregor' }, { family: 'Timmerman', initials: 'V', given: 'Vincent' }]);
    expect(r.abstractSections?.map((s) => s.label)).toEqual(['DISEASE CHARACTERISTICS', 'DIAGNOSIS/TESTING', 'MANAGEMENT', 'GENETIC COUNSELING']);
    expect(r.warnings).toBeUndefined();
  });

  it('empty PubmedArticleSet yields no records', () => {
    expect(load('pubmed_empty_articleset_for_requested_pmid_37909814.xml')).toEqual([]);
  });

  it('update file 22n1115: ExpressionOfConcernIn sets the flag; DeleteCitation is not a record', () => {
    const recs = load('baseline_updatefiles/pubmed22n1115_excerpt_deletecitation_eoc.xml');
    expect(recs.map((r) => r.pmid)).toEqual(['22395128', '20868729', '12657199']);
    expect(recs[0]!.flags.expressionOfConcern).toBe(true);
    expect(recs[0]!.relations).toEqual([{ type: 'expression-of-concern-in', pmid: '34752162', note: 'Psychol Sci. 2021 Nov 9;:9567976211058727' }]);
    expect(recs[1]!.relations).toEqual([{ type: 'erratum-in', pmid: '34895915', note: 'Neuroscience. 2021 Dec 9;:' }]);
    expect(recs[2]!.flags.expressionOfConcern).toBe(false);
  });

  it('update file 22n1313: ErratumIn relations on two of four records', () => {
    const recs = load('baseline_updatefiles/pubmed22n1313_excerpt_deletecitation_erratumin.xml');
    expect(recs.map((r) => [r.pmid, r.relations?.[0]?.pmid])).toEqual([
      ['17212035', '35486258'], ['7308376', undefined], ['17955499', undefined], ['18046398', '35534627'],
    ]);
  });

  it('streaming in 7-byte chunks gives the same records as the whole string', async () => {
    const xml = readFileSync(join(SHARED, 'pubmed_batch5_medlinedate_collective_empty_abstracttext.xml'));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < xml.length; i += 7) chunks.push(xml.subarray(i, i + 7));
    expect(await collect(chunks)).toEqual(parsePubmedXmlString(xml.toString('utf8')));
  });
});

describe('hand-made fixture (committed)', () => {
  const [art, book] = parsePubmedXmlString(readFileSync(HANDMADE, 'utf8'));

  it('flattens <i>/<sub>/<sup>/<b> and MathML (dropping its TeX annotation) and decodes references', () => {
    expect(art!.title).toBe('Retraction: Escherichia coli growth at CO2 > 10-3 and α-helices with x2≤4 bounds.');
    expect(art!.journal).toBe('Journal of Hand‐Made Tests & Fixtures');
    expect(art!.abstractSections).toEqual([
      { label: 'BACKGROUND', text: 'Café study of <5 mg doses.' },
      { label: 'RESULTS', text: 'P = 0.04 for n = 12.' },
    ]);
    expect(art!.keywords).toEqual(['CO2', 'retraction']);
  });

  it('maps notice flags, relations, cross-year MedlineDate and StartPage-EndPage', () => {
    expect(art!.flags).toEqual({ retracted: false, retractionNotice: true, erratum: false, expressionOfConcern: true });
    expect(art!.relations).toEqual([
      { type: 'retraction-of', pmid: '90000000', note: 'J Hand Made Tests. 1997;11(2):1-9' },
      { type: 'update-of', pmid: '89999999', note: 'J Hand Made Tests. 1996;10:5' },
    ]);
    expect(art!).toMatchObject({ year: 1998, pages: '101-109', issn: ['1234-5678', '8765-4321'], language: ['eng', 'ger'], entryDate: '1999-01-03' });
  });

  it('authors: invalid entries dropped, ORCID URL normalised, bad ORCID warned; reference DOI ignored', () => {
    expect(art!.authors).toEqual([
      { family: 'Müller', initials: 'AL', given: 'Anna-Lena', orcid: '0000-0002-1825-0097' },
      { family: 'Hand-Made Fixture Consortium', collective: true },
      { family: 'Ng', initials: 'K' },
    ]);
    expect(art!.warnings).toEqual(['ORCID not understood: not-an-orcid']);
    expect(art!.doi).toBe('10.9999/handmade.1');
  });

  it('book chapter: kind, ISBN, container title, DOI from BookDocument ids', () => {
    expect(book).toMatchObject({
      kind: 'book-chapter', sourceId: '90000002', title: 'Chapter Two: Streams', journal: 'Handbook of Fixtures',
      isbn: '978-0-00-000000-2', doi: '10.9999/book.ch2', year: 2021, entryDate: '2021-06-15', abstract: 'Streams are bounded.',
      authors: [{ family: 'Writer', initials: 'W', given: 'Walt' }],
    });
  });
});

describe('hostile and broken input', () => {
  const handmade = readFileSync(HANDMADE, 'utf8');

  it('billion laughs is refused with PermanentError, fast', () => {
    const lol = `<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i ? i : ''};`.repeat(10)}">`).join('')}]><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&lol9;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>`;
    const t0 = performance.now();
    expect(() => parsePubmedXmlString(lol)).toThrow(PermanentError);
    expect(() => parsePubmedXmlString(lol)).toThrow(/entit/i);
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('external SYSTEM entity is refused and its target never appears', () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>&xxe;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>';
    let caught: unknown;
    try {
      parsePubmedXmlString(xxe);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PermanentError);
    expect(String((caught as Error).message)).not.toMatch(/root:/);
  });

  it('an undeclared entity inside a record is malformed XML (RetryableError), not expanded', () => {
    const xml = handmade.replace('Chapter Two: Streams', 'Chapter &bogus;');
    expect(() => parsePubmedXmlString(xml)).toThrow(RetryableError);
  });

  it('an error page answered with 200 is RetryableError, not a batch of no records', () => {
    const page = '<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body><h1>Temporarily unavailable</h1></body></html>';
    expect(() => parsePubmedXmlString(page)).toThrow(RetryableError);
    expect(() => parsePubmedXmlString(page)).toThrow('the document is <html>, not a <PubmedArticleSet> (an error page?)');
    expect(parsePubmedXmlString('<?xml version="1.0" ?>\n<PubmedArticleSet>\n</PubmedArticleSet>')).toEqual([]);
  });

  it('truncated bodies throw RetryableError, wherever they are cut', async () => {
    for (const cut of [40, 500, handmade.indexOf('</PubmedArticle>') + 5, handmade.length - 10]) {
      expect(() => parsePubmedXmlString(handmade.slice(0, cut)), `cut at ${cut}`).toThrow(RetryableError);
    }
    await expect(collect([handmade.slice(0, 3000)])).rejects.toThrow(/truncated|ended early/);
  });

  it('a record over maxRecordBytes is PermanentError, even when streamed in small chunks', async () => {
    const chunks = handmade.match(/[\s\S]{1,256}/g)!;
    await expect(collect(chunks, { maxRecordBytes: 2000 })).rejects.toThrow(PermanentError);
    await expect(collect(chunks, { maxRecordBytes: 2000 })).rejects.toThrow(/maxRecordBytes/);
    expect(await collect(chunks, { maxRecordBytes: 10_000 })).toHaveLength(2);
  });

  it('in-band <ERROR> in an efetch body is PermanentError with NCBI\'s message', () => {
    const body = '<?xml version="1.0" ?>\n<eFetchResult>\n\t<ERROR>Cannot retrieve query_key 3 from history</ERROR>\n</eFetchResult>';
    expect(() => parsePubmedXmlString(body)).toThrow(/NCBI efetch error: Cannot retrieve query_key 3 from history/);
    expect(() => parsePubmedXmlString(body)).toThrow(PermanentError);
  });

  it('garbage and HTML error pages are RetryableError', () => {
    expect(() => parsePubmedXmlString('{"error":"API rate limit exceeded","count":"11"}')).toThrow(RetryableError);
    expect(() => parsePubmedXmlString('<html><body><h1>502 Bad Gateway</h1><hr></body></html>')).toThrow(RetryableError);
  });
});
