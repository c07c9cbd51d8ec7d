import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedupeRecords } from '../../src/dedup/cluster.js';
import { distinctPairs, parseTruth, runDedupe } from '../../src/dedup/command.js';
import { readRecordFile, readRecords } from '../../src/imports/readers/index.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';

const fx = (f: string) => join(import.meta.dirname, '..', 'fixtures', 'dedup', f);
const r = (sourceId: string, over: Partial<SourceRecord>): SourceRecord => ({
  source: 't',
  sourceId,
  title: 'Long-term outcomes of peer support for people who use opioids',
  authors: [{ family: 'Smith', initials: 'J' }],
  journal: 'Addiction',
  year: 2020,
  volume: '115',
  pages: '100-110',
  flags: NO_FLAGS,
  ...over,
});

describe('dedupeRecords', () => {
  it('groups duplicates, keeps distinct works and links notices', () => {
    const res = dedupeRecords([
      r('a', { doi: '10.1000/x' }),
      r('b', { title: 'Long term outcomes of peer-support for people who use opioids.' }),
      r('c', { title: 'Short-term costs of naloxone distribution programmes', pages: '5-9' }),
      r('d', { title: 'Erratum: Long-term outcomes of peer support for people who use opioids', pages: '900', volume: '116' }),
    ]);
    expect(res.groups.map((g) => g.members)).toEqual([[0, 1], [2], [3]]);
    expect(res.relations).toContainEqual({ from: 3, to: 0, type: 'erratum-for' });
  });

  it('does not chain two records with different PMIDs through a third', () => {
    const res = dedupeRecords([r('a', { pmid: '1' }), r('b', {}), r('c', { pmid: '2' })]);
    expect(res.groupOf[0]).not.toBe(res.groupOf[2]);
    expect(res.uncertainPairs.some((p) => p.reason.startsWith('chain-guard'))).toBe(true);
  });

  it('accepts normalised records as input', async () => {
    const { normalizeRecord } = await import('../../src/dedup/record.js');
    expect(dedupeRecords([r('a', {}), r('b', {})].map(normalizeRecord)).groups).toHaveLength(1);
  });
});

describe('readers', () => {
  it('reads RIS with position ids and a file prefix', async () => {
    const recs = await readRecordFile(fx('small.ris'), { source: 'ris', idPrefix: 'small.ris:' });
    expect(recs.map((x) => x.sourceId)).toEqual(['small.ris:1', 'small.ris:2', 'small.ris:3']);
    expect(recs[0]).toMatchObject({ journal: 'Cancer', pages: '288-297', year: 2006, volume: '108', issn: ['0008-543X'] });
    expect(recs[1]!.authors[0]).toMatchObject({ family: 'Müller', initials: 'J' });
  });
  it('reads MEDLINE with PMIDs, continuation lines and DOIs', async () => {
    const recs = await readRecordFile(fx('small.nbib'), { source: 'pubmed' });
    expect(recs[0]).toMatchObject({ sourceId: '16862599', pmid: '16862599', doi: '10.1002/cncr.22032', journal: 'Cancer', year: 2006 });
    expect(recs[0]!.title).toBe('Comparison of human papillomavirus distribution in cytologic subgroups of low-grade squamous intraepithelial lesion.');
  });
  it('reads spreadsheet CSVs separated by semicolons or tabs', () => {
    for (const [name, sep] of [['x.csv', ';'], ['x.tsv', '\t']] as const) {
      const text = ['Title', 'Authors', 'Year', 'DOI'].join(sep) + '\n' + ['"Peer naloxone; a trial"', 'Smith J, Jones K', '2021', '10.1/x'].join(sep) + '\n';
      expect(readRecords(name, text, { source: 's' })[0]).toMatchObject({ title: 'Peer naloxone; a trial', year: 2021, doi: '10.1/x' });
    }
  });
  it('refuses a file that holds no records of its format, naming the file and what it expected', () => {
    expect(() => readRecords('search.ris', 'Search results exported on 2026-01-01\n', { source: 's' })).toThrow(
      'search.ris: no records found in it as RIS (records from a TY tag to an ER tag)',
    );
    expect(() => readRecords('x.nbib', 'not medline\n', { source: 's' })).toThrow(/^x\.nbib: no records found in it as MEDLINE\/nbib/);
    expect(() => readRecords('x.xml', '<?xml version="1.0"?><foo/>', { source: 's' })).toThrow('x.xml: not readable as PubMed XML: the document is <foo>, not a <PubmedArticleSet>');
    expect(() => readRecords('x.xml', '<?xml version="1.0"?><PubmedArticleSet></PubmedArticleSet>', { source: 's' })).toThrow(/^x\.xml: no records found in it as PubMed XML/);
    expect(() => readRecords('notes.txt', 'some notes\nmore notes\n', { source: 's' })).toThrow(
      'notes.txt: not readable as CSV: no title, doi or pmid column in the header (columns: some notes)',
    );
    // An empty export is no error: a search may find nothing.
    for (const name of ['empty.ris', 'empty.csv', 'empty.nbib', 'empty.xml']) expect(readRecords(name, '\n', { source: 's' })).toEqual([]);
  });
  it('reads CSV by common column names, with quoted newlines', async () => {
    const recs = await readRecordFile(fx('small.csv'), { source: 'csv' });
    expect(recs).toHaveLength(7);
    expect(recs[0]).toMatchObject({ sourceId: 'r1', year: 2006, issue: '5', issn: ['0008-543X'] });
    expect(recs[0]!.abstract).toContain('\n');
    expect(recs[3]!.authors.map((a) => a.family)).toEqual(['Smith', 'Jones']);
  });
  it('reads a latin-1 CSV', async () => {
    const recs = await readRecordFile(fx('latin1.csv'), { source: 'csv' });
    expect(recs[0]!.title).toBe('Café workers and naïve models');
  });
  it('honours a given id column and reports a missing one', () => {
    const text = 'key,title\nk9,A title\n';
    expect(readRecords('x.csv', text, { source: 'c', idColumn: 'key' })[0]!.sourceId).toBe('k9');
    expect(() => readRecords('x.csv', text, { source: 'c', idColumn: 'nope' })).toThrow(/no column "nope"/);
  });
  it('reads PubMed XML through the API parser, and names the file it cannot read', () => {
    const xml = readFileSync(join(import.meta.dirname, '../fixtures/pubmed/handmade_notice_markup_book.xml'), 'utf8');
    const records = readRecords('x.xml', xml, { source: 'export' });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.source === 'export' && /^\d+$/.test(r.sourceId))).toBe(true);
    expect(() => readRecords('x.xml', '<PubmedArticleSet><PubmedArticle>', { source: 'p' })).toThrow(/^x\.xml: not readable as PubMed XML: /);
  });
});

describe('runDedupe', () => {
  it('writes one record_id,group_id row per record across RIS, nbib and CSV', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dedup-')), 'groups.csv');
    const res = await runDedupe([fx('small.ris'), fx('small.nbib'), fx('small.csv'), fx('latin1.csv')], { out });
    const rows = readFileSync(out, 'utf8').trim().split('\r\n').map((l) => l.split(','));
    expect(rows[0]).toEqual(['record_id', 'group_id']);
    expect(rows).toHaveLength(res.records + 1);
    const g = Object.fromEntries(rows.slice(1).map(([id, group]) => [id, group]));
    // The same article in RIS, nbib and CSV; the RIS erratum stays on its own.
    expect(g['small.ris:1']).toBe(g['16862599']);
    expect(g['r1']).toBe(g['16862599']);
    expect(g['small.ris:3']).not.toBe(g['16862599']);
    expect(g['small.ris:2']).toBe(g['31001111']);
    expect(g['r2']).not.toBe(g['r3']);
    expect(g['r4']).not.toBe(g['r5']);
    expect(g['L1']).toBe(g['L2']);
  });
  it('writes the links between groups: a notice to the work it corrects or retracts, a preprint to its journal version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dedup-'));
    const imp = (f: string) => join(import.meta.dirname, '..', 'fixtures', 'import', f);
    const [out, links] = [join(dir, 'groups.csv'), join(dir, 'relations.csv')];
    const res = await runDedupe([imp('notices.nbib'), imp('search.ris'), imp('included.ris')], { out, relations: links });
    const g = Object.fromEntries(readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')));
    // The two RIS copies of the trial are one work, and so are the cohort study's; the trial's
    // medRxiv preprint and the notices are linked, not merged.
    expect(g['search.ris:2']).toBe(g['search.ris:3']);
    expect(g['search.ris:1']).toBe(g['included.ris:1']);
    expect(readFileSync(links, 'utf8').trim().split('\r\n').sort()).toEqual([
      `${g['91000001']},retraction-of,${g['included.ris:2']}`,
      `${g['91000002']},erratum-for,${g['included.ris:1']}`,
      `${g['91000003']},version-of,${g['search.ris:2']}`,
      'group_id,relation,related_group_id',
    ].sort());
    expect(res.relations).toBe(3);
  });
  it('lists the pairs it kept apart but could not tell apart, each once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dedup-'));
    const res = await runDedupe([fx('small.csv')], { out: join(dir, 'groups.csv'), uncertain: join(dir, 'uncertain.csv') });
    // One title, one volume, two issues and no pages: the same paper or a two-part report.
    expect(readFileSync(join(dir, 'uncertain.csv'), 'utf8')).toBe('record_id_a,record_id_b,score,reason\r\nr6,r7,0.900,issue\r\n');
    expect(res.uncertain).toBe(1);
    const groups = readFileSync(join(dir, 'groups.csv'), 'utf8');
    expect(groups).toContain('r6,6\r\n');
    expect(groups).toContain('r7,7\r\n');
  });
});

describe('runDedupe record ids', () => {
  it('prefixes position ids with the path where two files share a name, and names ids given twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dedup-ids-'));
    const ris = (title: string) => `TY  - JOUR\nTI  - ${title}\nPY  - 2022\nER  - \n`;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
      return join(dir, path);
    };
    const [jan, feb] = [write('jan/x.ris', ris('Peer naloxone couriers')), write('feb/x.ris', ris('Fentanyl test strips from peers'))];
    const [a, b] = [write('a.csv', 'id,title\n1,Drug checking at festivals\n'), write('b.csv', 'id,title\n1,Safer supply and peer outreach\n')];
    const out = join(dir, 'groups.csv');
    const res = await runDedupe([jan, feb, a, b], { out });
    expect(readFileSync(out, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(',')[0])).toEqual([`${jan}:1`, `${feb}:1`, '1', '1']);
    expect(res.repeatedIds).toEqual(['1']);
  });
});

describe('distinctPairs', () => {
  it('keeps each pair once, with its highest score, most alike first', () => {
    const pairs = distinctPairs([
      { a: 2, b: 1, score: 0.7, reason: 'x' },
      { a: 1, b: 2, score: 0.9, reason: 'y' },
      { a: 0, b: 3, score: 0.8, reason: 'z' },
    ]);
    expect(pairs).toEqual([{ a: 1, b: 2, score: 0.9, reason: 'y' }, { a: 0, b: 3, score: 0.8, reason: 'z' }]);
  });
});

describe('parseTruth', () => {
  it('reads BibDedupe merged_ids rows and this command\'s own record_id,group_id output', () => {
    const merged = parseTruth('merged_ids\n"a;b"\nc;d;e\n', 't.csv');
    expect(merged.get('a')).toBe(merged.get('b'));
    expect(merged.get('c')).toBe(merged.get('e'));
    expect(merged.get('a')).not.toBe(merged.get('c'));
    const own = parseTruth('record_id,group_id\r\nx,1\r\ny,1\r\nz,2\r\n', 'g.csv');
    expect(own.get('x')).toBe(own.get('y'));
    expect(own.get('z')).not.toBe(own.get('x'));
  });
  it('names the file and the columns it needs', () => {
    expect(() => parseTruth('id,label\n1,dup\n', 'labels.csv')).toThrow('labels.csv: a truth file needs a merged_ids column, or record_id and group_id columns; found id, label');
  });
});

