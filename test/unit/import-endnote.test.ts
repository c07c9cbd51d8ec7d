import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDedupe } from '../../src/dedup/command.js';
import { detectFormat, readRecordFile, readRecords } from '../../src/imports/readers/index.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => join(packageRoot, 'test/fixtures/import-readers', name);

describe('EndNote XML libraries', () => {
  it('joins style runs, reads the DOI among other ids, both ISSNs and a MEDLINE PMID', async () => {
    const [article] = await readRecordFile(fixture('endnote.xml'), { source: 'endnote' });
    expect(article).toMatchObject({
      sourceId: '24',
      title: 'Peer-delivered naloxone distribution and opioid overdose deaths: a cluster randomised trial',
      authors: [
        { family: 'Okafor', initials: 'C' },
        { family: 'Lindqvist', initials: 'M' },
        { family: 'Barros', initials: 'A' },
      ],
      journal: 'International Journal of Drug Policy',
      journalAbbrev: 'Int J Drug Policy',
      year: 2022,
      volume: '101',
      pages: '103551',
      doi: '10.1016/j.drugpo.2022.103551',
      pmid: '92000001',
      issn: ['1873-4758', '0955-3959'],
      keywords: ['Naloxone', 'Peer workers'],
      language: ['eng'],
      abstract: '"Take-home" naloxone reaches more people & more often when peers hand it out.',
    });
  });

  it('reads a book section with a group author, and an Embase erratum whose accession number is no PMID', async () => {
    const [, chapter, erratum] = await readRecordFile(fixture('endnote.xml'), { source: 'endnote' });
    expect(chapter).toMatchObject({
      kind: 'book-chapter',
      journal: 'Harm reduction in practice',
      isbn: '978-3-16-148410-0',
      pages: '45-67',
      // The editor (secondary author) is not an author of the chapter.
      authors: [{ family: 'Haddad', given: 'Samir' }, { family: 'Drug Users Union of Ontario', collective: true }],
    });
    expect(erratum).toMatchObject({
      title: "Erratum: Peer workers' experiences of trauma & burnout at overdose prevention sites",
      issue: '9',
      flags: { erratum: true, retracted: false },
      publicationTypes: ['Journal Article', 'Published Erratum'],
    });
    expect(erratum!.pmid).toBeUndefined();
  });

  it('is known by its content, under .xml or any name, and a PubMed export stays PubMed XML', () => {
    const text = '<?xml version="1.0" encoding="UTF-8" ?><xml><records><record><titles><title>One</title></titles></record></records></xml>';
    for (const name of ['library.xml', 'library.txt', 'library']) expect(detectFormat(name, text)).toBe('endnote-xml');
    expect(detectFormat('x.xml', '<?xml version="1.0"?>\n<PubmedArticleSet></PubmedArticleSet>')).toBe('pubmed-xml');
  });

  it('refuses entity declarations and a library cut short, naming the file', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><records><record><titles><title>&a;</title></titles></record></records></xml>';
    expect(() => readRecords('lib.xml', bomb, { source: 'e' })).toThrow('lib.xml: not readable as EndNote XML: the file declares entities');
    expect(() => readRecords('lib.xml', '<xml><records><record><titles><title>One</title></titles></record><record><titles><tit', { source: 'e' })).toThrow(
      /^lib\.xml: not readable as EndNote XML: line 1, column \d+: unclosed tag: titles \(record 2 is not closed: was the file cut short\?\)$/,
    );
    expect(() => readRecords('lib.xml', '<xml><records></records></xml>', { source: 'e' })).toThrow('lib.xml: no records found in it as EndNote XML (<record> elements)');
  });

  it('dedupe groups the library with a RIS export of the same works', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dedup-enl-')), 'groups.csv');
    await runDedupe([fixture('endnote.xml'), join(packageRoot, 'test/fixtures/import/same-works.ris')], { out });
    const g = Object.fromEntries(readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')));
    expect(g['24']).toBe(g['same-works.ris:1']);
    expect(new Set(Object.values(g)).size).toBe(4);
  });
});
