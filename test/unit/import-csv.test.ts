import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/imports/readers/csv.js';
import { readRecordFile } from '../../src/imports/readers/index.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => readRecordFile(join(packageRoot, 'test/fixtures/import-readers', name), { source: 's' });
const read = (text: string) => readCsv(text, { source: 's' });

describe('CSV journal column', () => {
  it('takes Scopus "Source title", not "Source" (the database name)', async () => {
    const [a, b] = await fixture('scopus.csv');
    expect([a!.journal, b!.journal]).toEqual(['Journal of Substance Abuse Treatment', 'International Journal of Drug Policy']);
  });

  it('takes the most specific header present, and "source" only when nothing else names the journal', () => {
    expect(read('title,source,secondary title\nT,Embase,Addiction\n')[0]!.journal).toBe('Addiction');
    expect(read('title,publication title,source\nT,Addiction,Scopus\n')[0]!.journal).toBe('Addiction');
    expect(read('title,source\nT,Addiction\n')[0]!.journal).toBe('Addiction');
  });
});

describe('CSV columns of Scopus, Covidence and Rayyan', () => {
  it('Scopus: pages from Page start/Page end, else Art. No.; ISSN from whichever of ISBN/ISSN is filled; keywords, language, PMID', async () => {
    const [a, b] = await fixture('scopus.csv');
    expect(a).toMatchObject({
      pages: '1116-1122',
      issn: ['07405472'],
      pmid: '31234567',
      keywords: ['Peer Group', 'Emergency Service', 'naloxone'],
      language: ['English'],
    });
    expect(b).toMatchObject({ pages: '103116', issn: ['09553959'], isbn: '9781234567897', language: ['English', 'Spanish'] });
    expect(b!.keywords).toBeUndefined();
    expect(b!.pmid).toBeUndefined();
  });

  it('Covidence: Published Year, and Accession Number as PMID only when it has a PMID\'s digits', async () => {
    const [a, b] = await fixture('covidence.csv');
    expect(a).toMatchObject({ year: 2020, pmid: '31234567', pages: '1116-1122' });
    expect(b!.year).toBe(2019);
    expect(b!.pmid).toBeUndefined(); // an Embase number
  });

  it('Rayyan: issn and keywords and language columns', async () => {
    const [a] = await fixture('rayyan.csv');
    expect(a).toMatchObject({ issn: ['0740-5472'], keywords: ['Peer Group', 'Emergency Service'], language: ['eng'], year: 2020 });
  });
});

describe('CSV author lists', () => {
  const names = (text: string) => read(`title,authors\nT,"${text}"\n`)[0]!.authors.map((a) => [a.family, a.initials ?? '', a.collective ?? false]);
  it.each([
    ['Watson D.P., Brucker K.', [['Watson', 'DP', false], ['Brucker', 'K', false]]],
    ['Watson D.P. and Brucker K.', [['Watson', 'DP', false], ['Brucker', 'K', false]]],
    ['Smith J, Jones KL', [['Smith', 'J', false], ['Jones', 'KL', false]]],
    ['Watson, D. P.; Brucker, K.', [['Watson', 'DP', false], ['Brucker', 'K', false]]],
    ['World Health Organization; Smith J.', [['World Health Organization', '', true], ['Smith', 'J', false]]],
  ])('%s', (text, want) => expect(names(text)).toEqual(want));
});

describe('CSV columns of Zotero and PubMed', () => {
  it('Zotero: abstract note, item type, journal abbreviation, and the PMID and PMCID kept in Extra', async () => {
    const [a, b] = await fixture('zotero.csv');
    expect(a).toMatchObject({
      title: 'Peer-delivered naloxone distribution and opioid overdose deaths: a cluster randomised trial',
      authors: [{ family: 'Okafor', given: 'Chidi' }, { family: 'Lindqvist', given: 'Maja' }, { family: 'Barros', given: 'Ana' }],
      abstract: 'Take-home naloxone reaches more people when peers hand it out.',
      journal: 'International Journal of Drug Policy',
      journalAbbrev: 'Int J Drug Policy',
      pmid: '92000001',
      pmcid: 'PMC9000001',
      volume: '101',
      pages: '103551',
      issn: ['0955-3959'],
    });
    expect(a!.kind).toBeUndefined();
    // The editor is not an author.
    expect(b).toMatchObject({ kind: 'book-chapter', isbn: '978-3-16-148410-0', authors: [{ family: 'Haddad', given: 'Samir' }] });
  });

  it('PubMed: volume, issue and pages from the citation, and the PMCID column', async () => {
    const [a, b] = await fixture('pubmed.csv');
    expect(a).toMatchObject({ pmid: '92000001', pmcid: 'PMC9000001', volume: '101', pages: '103551', year: 2022, journal: 'Int J Drug Policy' });
    expect(a!.issue).toBeUndefined();
    expect(b).toMatchObject({ volume: '18', issue: '4', pages: '1116-1122', authors: [{ family: 'Haddad', initials: 'S' }, { family: 'Nguyen', initials: 'TL' }] });
    expect(b!.pmcid).toBeUndefined();
  });

  it('a volume or pages column wins over the citation', () => {
    expect(read('title,citation,volume,pages\nT,"J X. 2020;7(2):1-9.",8,10-19\n')[0]).toMatchObject({ volume: '8', issue: '2', pages: '10-19' });
  });
});
