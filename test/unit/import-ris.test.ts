import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRecordFile } from '../../src/imports/readers/index.js';
import { readRis } from '../../src/imports/readers/ris.js';
import { packageRoot } from '../../src/paths.js';

const read = (text: string) => readRis(text, { source: 'test' });
const fixture = (name: string) => join(packageRoot, 'test/fixtures/import-readers', name);

describe('RIS records', () => {
  it('a TY tag starts a new record even when the previous one has no ER', () => {
    const records = read('TY  - JOUR\nTI  - First\nAU  - Alpha, A.\nTY  - JOUR\nTI  - Second\nAU  - Beta, B.\nER  - \n');
    expect(records.map((r) => [r.title, r.authors.map((a) => a.family)])).toEqual([
      ['First', ['Alpha']],
      ['Second', ['Beta']],
    ]);
  });

  it('refuses a last record without ER, naming the line it started on', () => {
    expect(() => read('TY  - JOUR\nTI  - Complete\nER  - \n\nTY  - JOUR\nTI  - Trunc')).toThrow(/record starting at line 5 has no ER tag/);
  });

  it('names the file and the line of a truncated record', async () => {
    await expect(readRecordFile(fixture('truncated.ris'), { source: 'test' })).rejects.toThrow(
      `${fixture('truncated.ris')}: not readable as RIS: the record starting at line 7 has no ER tag`,
    );
  });

  it('refuses a tag outside a record rather than losing it, and skips an export header', () => {
    expect(read('Scopus\nEXPORT DATE: 05 March 2021\n\nTY  - JOUR\nTI  - One\nER  - \nER  - \n')).toHaveLength(1);
    expect(() => read('TY  - JOUR\nTI  - One\nER  - \nTI  - Orphan\nER  - \n')).toThrow('line 4: a TI tag outside a record');
  });

  it('accepts mixed-case tags, CRLF and trailing spaces after the hyphen', () => {
    const [r] = read('Ty  - JOUR\r\nTi  - Mixed case\r\nAu  - Gamma, G.\r\nPy  - 2019\r\nEr  -   \r\n');
    expect(r).toMatchObject({ title: 'Mixed case', year: 2019, authors: [{ family: 'Gamma', initials: 'G' }] });
  });

  it('reads a wrapped line that looks like a tag with one space ("IL - 6") as text', () => {
    const [r] = read('TY  - JOUR\nAB  - Serum interleukin levels were measured and\nIL - 6 rose sharply.\nAU  - Omega, O.\nER  - \n');
    expect(r!.abstract).toBe('Serum interleukin levels were measured and IL - 6 rose sharply.');
    expect(r!.authors).toHaveLength(1);
  });

  it('reads a file whose writer puts one space before every hyphen', () => {
    const records = read('TY - JOUR\nTI - Peer naloxone distribution\nAU - Omega, O.\nPY - 2021\nER - \n\nTY - JOUR\nTI - Second\nER -\n');
    expect(records.map((r) => [r.title, r.year])).toEqual([['Peer naloxone distribution', 2021], ['Second', undefined]]);
  });

  it('keeps an institutional author whole with or without the trailing comma', () => {
    const [r] = read('TY  - JOUR\nAU  - World Health Organization\nAU  - Cochrane Collaboration,\nAU  - Watson D.P.\nER  - \n');
    expect(r!.authors).toEqual([
      { family: 'World Health Organization', collective: true },
      { family: 'Cochrane Collaboration', collective: true },
      { family: 'Watson', initials: 'DP' },
    ]);
  });

  it('takes C7 (article number) as pages when SP and EP are absent', () => {
    const [a, b] = read('TY  - JOUR\nC7  - 103116\nER  - \nTY  - JOUR\nSP  - 55\nEP  - 63\nC7  - 103116\nER  - \n');
    expect([a!.pages, b!.pages]).toEqual(['103116', '55-63']);
  });

  it('keeps every SN: the print and the electronic ISSN', () => {
    const [r] = read('TY  - JOUR\nSN  - 0955-3959\nSN  - 1873-4758\nSN  - 0955-3959 (Linking)\nER  - \n');
    expect(r!.issn).toEqual(['0955-3959', '1873-4758']);
  });

  it.each([
    ['M3  - 10.1016/j.drugpo.2021.103116', '10.1016/j.drugpo.2021.103116'],
    ['M3  - doi: 10.1016/j.drugpo.2021.103116', '10.1016/j.drugpo.2021.103116'],
    ['N1  - Accession Number: 148523456. doi: 10.1016/j.jsat.2019.11.004.', '10.1016/j.jsat.2019.11.004'],
    ['AN  - DOI:10.1111/add.15234', '10.1111/add.15234'],
  ])('finds a DOI in %s when DO is absent', (line, doi) => {
    expect(read(`TY  - JOUR\n${line}\nER  - \n`)[0]!.doi).toBe(doi);
  });

  it('takes no DOI from M3 text that only mentions one, and prefers DO', () => {
    expect(read('TY  - JOUR\nM3  - Article 10.1000/x\nER  - \n')[0]!.doi).toBeUndefined();
    expect(read('TY  - JOUR\nDO  - 10.1000/do\nM3  - 10.1000/m3\nER  - \n')[0]!.doi).toBe('10.1000/do');
  });
});
