import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';
import { parseCrossrefWork, withSubtitle } from '../../src/sources/crossref/parse.js';
import { jatsSections } from '../../src/sources/crossref/jats.js';
import { plainText } from '../../src/sources/markup.js';

const SHARED = join(import.meta.dirname, '../../../shared/fixtures/crossref');
const HANDMADE = join(import.meta.dirname, '../fixtures/crossref/handmade_works_notices_preprint.json');
const hasShared = existsSync(SHARED);
if (!hasShared) console.warn('skipping recorded Crossref fixture tests: ../shared/fixtures absent (clone outside the workplace)');

interface Envelope {
  message: { items?: unknown[] } & Record<string, unknown>;
}
const read = (path: string): Envelope => JSON.parse(readFileSync(path, 'utf8'));
const shared = (file: string) => read(join(SHARED, file));
const handmade = read(HANDMADE).message.items!;
const parsed = (i: number): SourceRecord => parseCrossrefWork(handmade[i])!;

describe('markup to text', () => {
  it('strips JATS and HTML, decodes entities, keeps sub/sup inside words and separates glued words', () => {
    expect(plainText('<jats:p>targeting<jats:italic>SMARCB1</jats:italic>for H<jats:sub>2</jats:sub>O &amp; &#x3b1;&#946; &lt;5%</jats:p><jats:p>Next.</jats:p>')).toBe(
      'targeting SMARCB1 for H2O & αβ <5% Next.',
    );
    expect(plainText('<scp>COVID</scp>‐19 and <i>E. coli</i>')).toBe('COVID‐19 and E. coli');
  });

  it('a JATS abstract gives one section per <jats:sec>; a generic "Abstract" heading is no label', () => {
    expect(jatsSections('<jats:title>Abstract</jats:title><jats:p>Only text.</jats:p>')).toEqual([{ text: 'Only text.' }]);
    expect(jatsSections('<jats:sec><jats:title>Aims</jats:title><jats:p>A.</jats:p></jats:sec><jats:sec><jats:p>B.</jats:p></jats:sec>')).toEqual([
      { label: 'Aims', text: 'A.' },
      { text: 'B.' },
    ]);
    expect(jatsSections('<jats:p>-</jats:p>')).toEqual([]);
  });

  it('appends a subtitle as "Title: subtitle" unless it is a running head', () => {
    expect(withSubtitle('Krebsbekämpfung durch Prävention', 'Am Beispiel von Hautkrebs')).toBe('Krebsbekämpfung durch Prävention: Am Beispiel von Hautkrebs');
    expect(withSubtitle('Is it safe?', 'A review')).toBe('Is it safe? A review');
    expect(withSubtitle('Microbial Contamination in Peeled Chestnuts', 'MICROBIAL CONTAMINATION IN PEELED CHESTNUTS')).toBe('Microbial Contamination in Peeled Chestnuts');
    expect(withSubtitle('Peer support in overdose prevention', 'overdose prevention')).toBe('Peer support in overdose prevention');
    expect(withSubtitle('', 'Only a subtitle')).toBe('Only a subtitle');
  });
});

describe('hand-written work items (test/fixtures/crossref)', () => {
  it('an article: DOI lower case, title with subtitle, structured abstract, authors, journal, year, entry date, language', () => {
    const r = parsed(0);
    expect(r).toMatchObject({
      source: 'crossref', sourceId: '10.5555/hrj.2024.0001', doi: '10.5555/hrj.2024.0001',
      title: 'Peer-delivered naloxone in supervised consumption sites: a mixed-methods evaluation',
      journal: 'Harm Reduction Journal (Example)', journalAbbrev: 'Harm Reduct J Ex', issn: ['1477-7517'],
      volume: '21', issue: '2', pages: '101-112', year: 2024, entryDate: '2024-03-01', language: ['eng'],
      publicationTypes: ['journal-article'], kind: 'article',
    });
    expect(r.abstractSections).toEqual([
      { label: 'Background', text: 'People who use drugs lead peer-delivered naloxone programmes & overdose response.' },
      { label: 'Methods', text: 'A cohort of 120 peer workers; CO2 was not measured.' },
      { label: 'Results', text: 'Fewer deaths <5%.' },
    ]);
    expect(r.abstract).toBe(
      'Background: People who use drugs lead peer-delivered naloxone programmes & overdose response.\nMethods: A cohort of 120 peer workers; CO2 was not measured.\nResults: Fewer deaths <5%.',
    );
    expect(r.authors).toEqual([
      { family: "O'Neill", given: 'Mary-Jane A.', initials: 'MJA', orcid: '0000-0002-1825-009X' },
      { family: 'de la Cruz', given: 'Tomás', initials: 'T' },
      { family: 'Peer Network Collaborative', collective: true },
      { family: 'Aroha' },
    ]);
    expect(r.warnings).toBeUndefined();
  });

  it('an original with updated-by retraction is flagged retracted and points to its notice', () => {
    const r = parsed(0);
    expect(r.flags).toEqual({ ...NO_FLAGS, retracted: true });
    expect(r.relations).toEqual([{ type: 'retraction-in', doi: '10.5555/hrj.2024.0099', note: 'retraction (retraction-watch)' }]);
  });

  it('a retraction notice (update-to retraction) is flagged and related to the original, not to itself', () => {
    const r = parsed(1);
    expect(r.flags).toEqual({ ...NO_FLAGS, retractionNotice: true });
    expect(r.relations).toEqual([{ type: 'retraction-of', doi: '10.5555/hrj.2024.0001', note: 'retraction (publisher)' }]);
    expect(r.year).toBe(2024);
    expect(r.entryDate).toBe('2024-09-01');
  });

  it('an erratum (update-to correction) is flagged and related to the corrected article', () => {
    const r = parsed(2);
    expect(r.flags).toEqual({ ...NO_FLAGS, erratum: true });
    expect(r.relations).toEqual([{ type: 'erratum-for', doi: '10.5555/ijdp.2023.0123', note: 'correction (publisher)' }]);
    expect(r).toMatchObject({ language: ['eng'], pages: '104380', authors: [{ family: 'Ngata', given: 'K.', initials: 'K' }] });
  });

  it('a preprint: posted-content/preprint is kind preprint, its server is the journal, is-preprint-of (DOI only) is preprint-of', () => {
    const r = parsed(3);
    expect(r).toMatchObject({ kind: 'preprint', journal: 'medRxiv', publicationTypes: ['posted-content', 'preprint'], abstract: 'Peer navigators distributed fentanyl test strips.' });
    expect(r.relations).toEqual([{ type: 'preprint-of', doi: '10.5555/hrj.2024.0001' }]);
    expect(r.abstractSections).toBeUndefined();
  });

  it('unexpected shapes give warnings, not exceptions; a placeholder abstract is no abstract', () => {
    const r = parsed(4);
    expect(r.title).toBe('RUNNING HEAD');
    expect(r.authors).toEqual([]);
    expect(r.abstract).toBeUndefined();
    expect(r.year).toBeUndefined();
    expect(r.entryDate).toBe('2024-07-07'); // created has no date: indexed stands in
    expect(r.volume).toBe('7');
    expect(r.language).toEqual(['xx']);
    expect(r.flags).toEqual(NO_FLAGS);
    expect(r.warnings).toEqual(['title: expected a list of strings, got number', 'author: expected a list, got string', 'update-to: update type "cleanup" not mapped']);
  });

  it('an item without a DOI gives no record; neither do non-objects', () => {
    expect(parseCrossrefWork(handmade[5])).toBeUndefined();
    expect(parseCrossrefWork(null)).toBeUndefined();
    expect(parseCrossrefWork('10.1/x')).toBeUndefined();
  });

  it('an expression of concern notice is flagged and related; addendum is ignored', () => {
    const r = parsed(6);
    expect(r.flags).toEqual({ ...NO_FLAGS, expressionOfConcern: true });
    expect(r.relations).toEqual([{ type: 'expression-of-concern-for', doi: '10.5555/prison.2022.9', note: 'expression_of_concern (publisher)' }]);
    expect(r.warnings).toBeUndefined();
  });
});

describe.skipIf(!hasShared)('recorded Crossref responses (../shared/fixtures/crossref)', () => {
  it('maps every recorded item without throwing, each with its own DOI as sourceId', () => {
    const files = readdirSync(SHARED).filter((f) => f.endsWith('.json') && !f.endsWith('.http.json') && !f.startsWith('error_'));
    expect(files.length).toBe(11);
    let n = 0;
    for (const f of files) {
      const m = shared(f).message;
      const items = m.items ?? [m];
      for (const item of items) {
        const r = parseCrossrefWork(item);
        expect(r?.sourceId, f).toBe(String((item as { DOI: string }).DOI).toLowerCase());
        n++;
      }
    }
    expect(n).toBe(5 * 4 + 20 + 20 + 30 + 1 + 1 + 20);
  });

  it('PLoS ONE 10.1371/journal.pone.0033693: updated-by correction gives erratum-in; authors, ISSN, dates, language', () => {
    const r = parseCrossrefWork(shared('work_10.1371_journal.pone.0033693_updated_by_correction.json').message)!;
    expect(r).toMatchObject({
      sourceId: '10.1371/journal.pone.0033693',
      title: 'Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice',
      journal: 'PLoS ONE', journalAbbrev: 'PLoS ONE', issn: ['1932-6203'], volume: '7', issue: '3', pages: 'e33693',
      year: 2012, entryDate: '2012-03-23', language: ['eng'], kind: 'article',
    });
    expect(r.authors).toHaveLength(6);
    expect(r.authors[1]).toEqual({ family: 'Pond', given: 'Brooks B.', initials: 'BB' });
    expect(r.flags).toEqual(NO_FLAGS);
    expect(r.relations).toEqual([{ type: 'erratum-in', doi: '10.1371/annotation/c76da2c1-ccb8-4797-94c1-359d3ceceeda', note: 'correction (publisher)' }]);
    expect(r.abstract).toBeUndefined();
  });

  it('bioRxiv preprint: kind preprint, preprint-of the journal version, JATS abstract with glued italics separated, ORCID', () => {
    const r = parseCrossrefWork(shared('work_posted-content_preprint_biorxiv.json').message)!;
    expect(r).toMatchObject({ kind: 'preprint', journal: 'bioRxiv', year: 2024, entryDate: '2024-04-02' });
    expect(r.relations).toEqual([{ type: 'preprint-of', doi: '10.1016/j.xgen.2025.100814' }]);
    expect(r.abstract).toMatch(/^Understanding the effects of rare genetic variants/);
    expect(r.abstract).toContain('targeting SMARCB1 for editing activity');
    expect(r.abstract).not.toMatch(/ABSTRACT|<|jats/);
    expect(r.authors.at(-1)).toEqual({ family: 'Findlay', given: 'Gregory M.', initials: 'GM', orcid: '0000-0002-7767-8608' });
  });

  it('Wiley Corrigendum 10.1111/ijal.12281: update-to correction flags an erratum related to the original', () => {
    const items = shared('types_journal-article_cursor_page3_with_update-to_correction.json').message.items!;
    const notices = items.map((i) => parseCrossrefWork(i)!).filter((r) => r.flags.erratum);
    expect(notices.map((r) => r.sourceId)).toEqual(['10.1111/ijal.12281']);
    expect(notices[0]).toMatchObject({ title: 'Corrigendum', year: 2019, pages: '380-380', issn: ['0802-6106', '1473-4192'], relations: [{ type: 'erratum-for', doi: '10.1111/ijal.12157', note: 'correction' }] });
  });

  it('titles: HTML and entities stripped, subtitles appended, empty titles warned', () => {
    const items = shared('types_journal-article_cursor_page3_with_update-to_correction.json').message.items!;
    const byDoi = new Map(items.map((i) => { const r = parseCrossrefWork(i)!; return [r.sourceId, r]; }));
    expect(byDoi.get('10.1051/0004-6361:200809584')!.title).toBe('A multi-wavelength survey of AGN in the XMM-LSS field: I. Quasar selection via the KX technique');
    expect(byDoi.get('10.1017/s0022050700100051')!.title).toContain('London: Methuen & Company');
    expect(byDoi.get('10.1023/a:1005720103937')!).toMatchObject({ title: '', warnings: ['no title'] });
  });

  it('standards with [[null]] date-parts have no year and no warning about it', () => {
    const items = shared('members1988_works_from_index_date.json').message.items!;
    const r = parseCrossrefWork(items[0])!;
    expect(r).toMatchObject({ kind: 'other', title: expect.stringContaining('Part 2: Enlargers') });
    expect(r.year).toBeUndefined();
    expect(r.warnings).toBeUndefined();
  });
});
