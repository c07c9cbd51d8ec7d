import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { NO_FLAGS } from '../../src/records/types.js';
import { parseEuropePmcPage } from '../../src/sources/europepmc/parse.js';
import { plainText } from '../../src/sources/markup.js';

const SHARED = join(import.meta.dirname, '../../../shared/fixtures/europepmc');
const HANDMADE = join(import.meta.dirname, '../fixtures/europepmc/handmade_core_page.json');
const hasShared = existsSync(SHARED);
if (!hasShared) console.warn('skipping recorded Europe PMC fixture tests: ../shared/fixtures absent (clone outside the workplace)');

const json = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe('hand-made core page', () => {
  const page = parseEuropePmcPage(json(HANDMADE));
  const byId = new Map(page.records.map((r) => [r.sourceId, r]));

  it('reads the envelope and skips a result without an id, saying so', () => {
    expect(page.hitCount).toBe(7);
    expect(page.nextCursorMark).toBe('AoIIPwAAAB4yOTAwMDAwNw==');
    expect(page.records.map((r) => r.sourceId)).toEqual(['MED:29000001', 'PPR:PPR900002', 'PMC:PMC9000003', 'MED:29000004', 'MED:28000005', 'MED:29000006']);
    expect(page.warnings).toEqual(['result without source and id skipped: {"source":"MED","title":"A result without an id"}']);
  });

  it('MED record: ids, markup-free bracketed title, structured abstract, authors of three kinds, journal, MeSH', () => {
    const r = byId.get('MED:29000001')!;
    expect(r).toMatchObject({
      source: 'europepmc', pmid: '29000001', pmcid: 'PMC9000001', doi: '10.1000/hm.peer.2024.001',
      title: 'Peer-delivered take-home naloxone & overdose response in CO2-free clinics.',
      journal: 'Harm reduction journal', journalAbbrev: 'Harm Reduct J', issn: ['1477-7517'],
      volume: '21', issue: '3', pages: '101-9', year: 2024, language: ['eng'], kind: 'article', entryDate: '2024-03-05',
      publicationTypes: ['Randomized Controlled Trial', 'Journal Article'],
      meshTerms: ['Humans', 'Naloxone', 'Peer Group'], keywords: ['Naloxone', 'Peer support', 'Overdose'],
    });
    expect(r.authors).toEqual([
      { family: 'Novak', initials: 'AB', given: 'Anna B', orcid: '0000-0002-1825-0097' },
      { family: 'Peer Naloxone Study Group', collective: true },
      { family: 'Ó Briain', initials: 'C' },
    ]);
    expect(r.abstractSections).toEqual([
      { label: 'Background', text: 'Peers <25 years old distributed naloxone.' },
      { label: 'Methods', text: 'A cluster trial in 12 sites.' },
      { label: 'Results', text: 'Fewer deaths (OR 0.6).' },
    ]);
    expect(r.abstract).toBe('Background: Peers <25 years old distributed naloxone.\nMethods: A cluster trial in 12 sites.\nResults: Fewer deaths (OR 0.6).');
    // "Erratum in" is a relation (the article has an erratum, it is not one); "Comment in" is not tracked.
    expect(r.relations).toEqual([{ type: 'erratum-in', pmid: '29000099', note: 'Harm Reduct J. 2024 Jun;21(6):300.' }]);
    expect(r.flags).toEqual(NO_FLAGS);
    expect(r.warnings).toBeUndefined();
  });

  it('PPR record is a preprint whose server stands as journal; PMC record keeps its PMCID and no PMID', () => {
    expect(byId.get('PPR:PPR900002')).toMatchObject({ kind: 'preprint', journal: 'medRxiv', doi: '10.1101/2024.03.01.24300002', year: 2024, entryDate: '2024-03-07' });
    expect(byId.get('PPR:PPR900002')!.pmid).toBeUndefined();
    const pmc = byId.get('PMC:PMC9000003')!;
    expect(pmc).toMatchObject({ pmcid: 'PMC9000003', kind: 'article', journal: 'Drug Checking Research', volume: '5', pages: 'e12' });
    expect(pmc.pmid).toBeUndefined();
    expect(pmc.warnings).toBeUndefined();
  });

  it('flags a retraction notice and the retracted publication, with relations both ways', () => {
    const notice = byId.get('MED:29000004')!;
    expect(notice.flags).toEqual({ ...NO_FLAGS, retractionNotice: true });
    expect(notice.relations).toEqual([{ type: 'retraction-of', pmid: '28000005', note: 'Harm Reduct J. 2023;20(1):55.' }]);
    expect(notice.authors).toEqual([]);
    const retracted = byId.get('MED:28000005')!;
    expect(retracted.flags).toEqual({ ...NO_FLAGS, retracted: true });
    expect(retracted.relations).toEqual([{ type: 'retraction-in', pmid: '29000004', note: 'Harm Reduct J. 2024;21(3):120.' }]);
    expect(retracted.language).toEqual(['eng', 'spa']);
  });

  it('maps what it can of a record with odd fields and lists every oddity as a warning', () => {
    const r = byId.get('MED:29000006')!;
    expect(r).toMatchObject({ title: 'A record with odd fields', pmid: '29000006', publicationTypes: ['Journal Article'], authors: [{ family: 'Doe', initials: 'J' }] });
    expect(r.year).toBeUndefined();
    expect(r.entryDate).toBeUndefined();
    expect(r.warnings).toEqual([
      'ORCID not understood: "not-an-orcid"',
      'author not understood: "Smith A"',
      'author without lastName or collectiveName skipped: {"affiliation":"nobody"}',
      'journalInfo not understood',
      'publication year not understood: in press',
      'meshHeading not understood: {"majorTopic_YN":"N"}',
      'keywordList not understood',
      'firstIndexDate not understood: 20240311',
    ]);
  });
});

describe('parseEuropePmcPage envelope', () => {
  it('refuses a body that is not a search answer', () => {
    expect(() => parseEuropePmcPage({ error: 'Bad query' })).toThrow(PermanentError);
    expect(() => parseEuropePmcPage({ error: 'Bad query' })).toThrow('europepmc search: response has no hitCount ({"error":"Bad query"})');
    expect(() => parseEuropePmcPage({ hitCount: 3 })).toThrow('no resultList.result array');
  });

  it('plainText keeps inline markup joined, separates blocks, decodes entities once', () => {
    expect(plainText('H<sub>2</sub>O<br/>and <i>E.&nbsp;coli</i> &amp;lt; &#x3B1;&#946; &bogus;')).toBe('H2O and E. coli &lt; αβ &bogus;');
  });

  it('plainText removes markup that arrives escaped, as Europe PMC titles carry it, and keeps a real "<"', () => {
    expect(plainText('METTL5-mediated m&lt;sup&gt;6&lt;/sup&gt;A modification in &lt;i&gt;C. elegans&lt;/i&gt;')).toBe('METTL5-mediated m6A modification in C. elegans');
    expect(plainText('Doses &lt;5 mg in adults aged &lt;40 years')).toBe('Doses <5 mg in adults aged <40 years');
  });
});

describe.skipIf(!hasShared)('recorded Europe PMC responses', () => {
  it('core first page: 25 MED records, none with warnings, hitCount and cursor read', () => {
    const page = parseEuropePmcPage(json(join(SHARED, 'search_core_first_page.json')));
    expect(page).toMatchObject({ hitCount: 5059039, nextCursorMark: 'AoIIP4ZawSg1MzEyODI1MA==', warnings: [] });
    expect(page.records).toHaveLength(25);
    expect(page.records.filter((r) => r.warnings)).toEqual([]);
    expect(page.records.every((r) => r.sourceId === `MED:${r.pmid}` && /^\d{4}-\d\d-\d\d$/.test(r.entryDate!))).toBe(true);
    expect(page.records.filter((r) => r.abstract)).toHaveLength(21);
    expect(page.records.some((r) => /<\/?[a-z]+\d?>|&[a-z]+;/.test(`${r.title} ${r.abstract ?? ''}`))).toBe(false);
  });

  it('core 39709209: the full mapping of a plain journal article', () => {
    const r = parseEuropePmcPage(json(join(SHARED, 'search_core_first_page.json'))).records[0]!;
    expect(r).toEqual({
      source: 'europepmc', sourceId: 'MED:39709209', pmid: '39709209', doi: '10.1016/s0140-6736(24)02600-x',
      title: 'Abscopal response in a patient with fibrolamellar hepatocellular carcinoma following radiotherapy.',
      authors: [
        { family: 'Schoenfeld', initials: 'JD', given: 'Jonathan D' },
        { family: 'Haas-Kogan', initials: 'DA', given: 'Daphne A' },
        { family: "O'Neill", initials: 'AF', given: 'Allison F' },
      ],
      journal: 'Lancet (London, England)', journalAbbrev: 'Lancet', issn: ['0140-6736', '1474-547X'],
      volume: '404', issue: '10471', pages: '2603-2604', year: 2025, language: ['eng'],
      publicationTypes: ['Journal Article'], entryDate: '2024-12-22', flags: NO_FLAGS, kind: 'article',
    });
  });

  it('core errata (pubType "Published Erratum"/"correction", commentCorrection "Erratum for") are flagged', () => {
    const records = parseEuropePmcPage(json(join(SHARED, 'search_core_first_page.json'))).records;
    const errata = records.filter((r) => r.flags.erratum);
    expect(errata.map((r) => r.sourceId)).toEqual(['MED:39709208', 'MED:40377773']);
    expect(errata[0]!.relations).toEqual([{ type: 'erratum-for', pmid: '39293462', note: 'Lancet. 2024 Sep 28;404(10459):1227-1239. doi: 10.1016/S0140-6736(24)01653-2.' }]);
    const structured = records.find((r) => r.sourceId === 'MED:40468710')!;
    expect(structured.abstractSections?.map((s) => s.label)).toEqual(['Objective', 'Design', 'Methods', 'Results', 'Conclusions']);
    expect(structured.authors[0]).toEqual({ family: 'Al-Abbadey', initials: 'M', given: 'Miznah', orcid: '0000-0002-6307-9196' });
  });

  it('zero hits: hitCount 0, no cursor, no records', () => {
    expect(parseEuropePmcPage(json(join(SHARED, 'search_zero_hits.json')))).toEqual({ hitCount: 0, records: [], warnings: [] });
  });

  it('ten chained lite pages never throw: 1000 distinct source:id records, the 24 PPR ones preprints', () => {
    const pages = json(join(SHARED, 'cursor_chain_10pages_pagesize100.json')) as unknown[];
    const records = pages.flatMap((p) => parseEuropePmcPage(p).records);
    expect(new Set(records.map((r) => r.sourceId)).size).toBe(1000);
    const preprints = records.filter((r) => r.kind === 'preprint');
    expect(preprints).toHaveLength(24);
    expect(preprints.every((r) => r.sourceId.startsWith('PPR:PPR'))).toBe(true);
    expect(records.filter((r) => r.sourceId.startsWith('PMC:')).every((r) => r.pmcid === r.sourceId.slice(4))).toBe(true);
  });
});
