import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDedupe } from '../../src/dedup/command.js';
import { detectFormat, readRecordFile, readRecords } from '../../src/imports/readers/index.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => join(packageRoot, 'test/fixtures/import-readers', name);
const read = (text: string, path = 'savedrecs.txt') => readRecords(path, text, { source: 'wos' });

describe('Web of Science plain text', () => {
  it('reads wrapped titles, one author per line, both ISSNs, article numbers and PMIDs', async () => {
    const records = await readRecordFile(fixture('wos-plain.txt'), { source: 'wos' });
    expect(records).toHaveLength(4);
    expect(records[0]).toMatchObject({
      sourceId: 'WOS:000900000000001',
      title: 'Peer-delivered naloxone distribution and opioid overdose deaths: a cluster randomised trial',
      authors: [
        { family: 'Okafor', initials: 'C', given: 'Chidi' },
        { family: 'Lindqvist', initials: 'M', given: 'Maja' },
        { family: 'Barros', initials: 'A', given: 'Ana' },
      ],
      journal: 'INTERNATIONAL JOURNAL OF DRUG POLICY',
      journalAbbrev: 'Int. J. Drug Policy',
      year: 2022,
      volume: '101',
      pages: '103551',
      doi: '10.1016/j.drugpo.2022.103551',
      pmid: '92000001',
      issn: ['0955-3959', '1873-4758'],
      language: ['English'],
      keywords: ['Naloxone', 'Peer workers', 'Overdose', 'Cluster randomised trial', 'Harm reduction', 'PREVENTION', 'PROGRAMS'],
      abstract: '"Take-home" naloxone reaches more people when peers hand it out. We randomised 24 neighbourhoods.',
      flags: { retracted: false, retractionNotice: false, erratum: false, expressionOfConcern: false },
    });
    expect(records[1]).toMatchObject({ pages: '1116-1122', issue: '4', year: 2021 });
  });

  it('knows corrections, retracted and early-access records by their document type', async () => {
    const [, , correction, retracted] = await readRecordFile(fixture('wos-plain.txt'), { source: 'wos' });
    expect(correction!.flags).toMatchObject({ erratum: true, retracted: false });
    expect(retracted).toMatchObject({
      // No PY until the issue comes out: the early-access date gives the year.
      year: 2023,
      pages: 'e4410',
      language: ['English', 'German'],
      publicationTypes: ['Article', 'Retracted Publication', 'Early Access'],
      flags: { retracted: true, retractionNotice: false, erratum: false },
      authors: [{ family: 'Müller', initials: 'K' }, { family: 'Peer Navigator Study Group', collective: true }],
    });
  });

  it('refuses a last record without ER, and a field outside a record, naming the line', () => {
    expect(() => read('FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Complete\nER\n\nPT J\nTI Cut sh')).toThrow(
      'savedrecs.txt: not readable as Web of Science plain text: the record starting at line 7 has no ER line',
    );
    expect(() => read('FN Clarivate Analytics Web of Science\nVR 1.0\nTI Orphan\nPT J\nTI One\nER\nEF\n')).toThrow('line 3: a TI field outside a record');
  });

  it('a PT line starts a new record even where the previous one lacks its ER', () => {
    expect(read('FN x\nPT J\nTI First\nPT J\nTI Second\nER\nEF\n').map((r) => r.title)).toEqual(['First', 'Second']);
  });

  it('is known by its content whatever the file is called, and a RIS or CSV file is not taken for it', () => {
    const text = 'FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI One\nER\nEF\n';
    for (const name of ['savedrecs.txt', 'export.ciw', 'wos.ris', 'records']) expect(detectFormat(name, text)).toBe('wos');
    expect(detectFormat('x.ris', 'TY  - JOUR\nTI  - One\nER  - \n')).toBe('ris');
    expect(detectFormat('x.txt', 'PMID- 1\nTI  - One\n')).toBe('medline');
    expect(detectFormat('x.csv', 'title,year\nOne,2020\n')).toBe('csv');
    expect(detectFormat('x.tsv', 'PT\tTitle\nJ\tOne\n')).toBe('csv');
  });
});

describe('Web of Science tab-delimited', () => {
  it('reads a UTF-16 export, splitting its author cells and keeping a quotation mark that opens an abstract', async () => {
    const records = await readRecordFile(fixture('wos-tab.txt'), { source: 'wos' });
    expect(records.map((r) => r.sourceId)).toEqual(['WOS:000900000000001', 'WOS:000900000000002', 'WOS:000900000000005']);
    expect(records[0]).toMatchObject({
      title: 'Peer-delivered naloxone distribution and opioid overdose deaths: a cluster randomised trial',
      authors: [{ family: 'Okafor', given: 'Chidi' }, { family: 'Lindqvist', given: 'Maja' }, { family: 'Barros', given: 'Ana' }],
      abstract: '"Take-home" naloxone reaches more people when peers hand it out.',
      doi: '10.1016/j.drugpo.2022.103551',
      pmid: '92000001',
      issn: ['0955-3959', '1873-4758'],
    });
    expect(records[1]).toMatchObject({ pages: '1116-1122', volume: '18', issue: '4' });
    expect(records[2]).toMatchObject({
      kind: 'book-chapter',
      isbn: '978-3-16-148410-0',
      authors: [{ family: 'Müller', given: 'Katrin' }, { family: 'Peer Navigator Study Group', collective: true }],
    });
  });

  it('is read as Web of Science even when saved as .csv or .tsv', () => {
    const text = 'PT\tAU\tTI\tPY\tUT\nJ\tSmith, J\tOne title\t2020\tWOS:1\n';
    for (const name of ['savedrecs.txt', 'x.csv', 'x.tsv']) expect(readRecords(name, text, { source: 'wos' })).toMatchObject([{ title: 'One title', year: 2020, sourceId: 'WOS:1' }]);
  });

  it('a header without rows is an empty search, as in CSV', () => {
    expect(read('PT\tAU\tTI\tUT\n')).toEqual([]);
  });
});

describe('dedupe across a Web of Science and a RIS export of the same works', () => {
  it('groups each work across the formats and links the correction to its article', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dedup-wos-'));
    const [out, links] = [join(dir, 'groups.csv'), join(dir, 'relations.csv')];
    await runDedupe([fixture('wos-plain.txt'), join(packageRoot, 'test/fixtures/import/same-works.ris')], { out, relations: links });
    const g = Object.fromEntries(readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')));
    expect(g['WOS:000900000000001']).toBe(g['same-works.ris:1']);
    expect(g['WOS:000900000000002']).toBe(g['same-works.ris:2']);
    expect(new Set(Object.values(g)).size).toBe(4);
    expect(readFileSync(links, 'utf8')).toContain(`${g['WOS:000900000000003']},erratum-for,${g['WOS:000900000000002']}`);
  });
});
