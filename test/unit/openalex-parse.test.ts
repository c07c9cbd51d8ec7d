import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseOpenAlexWork, rebuildAbstract } from '../../src/sources/openalex/parse.js';

const SHARED = join(import.meta.dirname, '../../../shared/fixtures/openalex');
const HANDMADE = join(import.meta.dirname, '../fixtures/openalex/handmade_works_page.json');
const hasShared = existsSync(SHARED);
if (!hasShared) console.warn('skipping recorded OpenAlex fixture tests: ../shared/fixtures absent (clone outside the workplace)');

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { results: unknown[] };

describe('hand-made works page (committed, real schema)', () => {
  const results = json(HANDMADE).results;
  const parse = (i: number) => {
    const warnings: string[] = [];
    return { record: parseOpenAlexWork(results[i], warnings), warnings };
  };

  it('maps ids (URLs to bare ids), markup-free title, abstract, authors, venue, biblio, MeSH and dates', () => {
    const { record, warnings } = parse(0);
    expect(warnings).toEqual([]);
    expect(record).toMatchObject({
      source: 'openalex', sourceId: 'W7000000001', doi: '10.1016/j.drugpo.2024.104321', pmid: '38400001', pmcid: 'PMC11000001',
      title: 'Peer-delivered naloxone distribution and overdose reversal: a cohort study',
      abstract: 'Peers distributed naloxone kits; most used naloxone within a month.',
      journal: 'International Journal of Drug Policy', issn: ['0955-3959', '1873-4758'],
      volume: '125', issue: '2', pages: '104321-104330', year: 2024, language: ['eng'],
      publicationTypes: ['article', 'journal-article'], keywords: ['Naloxone'], meshTerms: ['Naloxone', 'Drug Overdose'],
      entryDate: '2024-03-05', kind: 'article',
      flags: { retracted: false, retractionNotice: false, erratum: false, expressionOfConcern: false },
    });
    expect(record!.authors).toEqual([
      { family: 'van der Berg', given: 'Maria', initials: 'M', orcid: '0000-0002-1825-009X' },
      { family: 'Okafor', given: 'Chidi A.', initials: 'CA' },
    ]);
    // the nameless third authorship is left out with a warning on the record
    expect(record!.warnings).toEqual(['authorship 3 has no name; left out']);
  });

  it('a preprint without DOI, abstract or ISSN: kind preprint, repository as journal, no empty fields', () => {
    const { record } = parse(1);
    expect(record).toMatchObject({ sourceId: 'W7000000002', kind: 'preprint', journal: 'medRxiv (Cold Spring Harbor Laboratory)', entryDate: '2025-01-22', publicationTypes: ['preprint', 'posted-content'] });
    for (const key of ['doi', 'pmid', 'abstract', 'issn', 'volume', 'pages', 'keywords', 'meshTerms', 'warnings']) expect(record).not.toHaveProperty(key);
  });

  it('is_retracted sets flags.retracted; a malformed abstract index is a warning, not a crash', () => {
    const { record } = parse(2);
    expect(record!.flags.retracted).toBe(true);
    expect(record!.pages).toBe('15');
    expect(record!.abstract).toBeUndefined();
    expect(record!.warnings).toEqual(['abstract_inverted_index: positions of "Broken" are not word positions; abstract left out']);
  });

  it('type retraction is a retraction notice; odd shapes (null location and biblio, authorships not a list, bad date) only warn', () => {
    const { record } = parse(3);
    expect(record).toMatchObject({ sourceId: 'W7000000004', kind: 'article', authors: [], flags: { retracted: false, retractionNotice: true, erratum: false } });
    expect(record).not.toHaveProperty('journal');
    expect(record).not.toHaveProperty('entryDate');
    expect(record!.warnings).toEqual(['created_date "not a date" is not a date']);
  });

  it('type erratum is an erratum notice', () => {
    expect(parse(4).record!.flags).toEqual({ retracted: false, retractionNotice: false, erratum: true, expressionOfConcern: false });
  });

  it('a result without a W id is skipped with a reason', () => {
    const { record, warnings } = parse(5);
    expect(record).toBeUndefined();
    expect(warnings).toEqual(['a result has no OpenAlex W id (null); skipped']);
    const w: string[] = [];
    expect(parseOpenAlexWork('text', w)).toBeUndefined();
    expect(w).toEqual(['a result is not a JSON object; skipped']);
  });

  it('rebuilds an abstract by position, whatever order the index lists words in', () => {
    expect(rebuildAbstract({ b: [1], a: [0, 2] }, [])).toBe('a b a');
    expect(rebuildAbstract(null, [])).toBeUndefined();
    const w: string[] = [];
    expect(rebuildAbstract(['x'], w)).toBeUndefined();
    expect(w).toEqual(['abstract_inverted_index is not an object; abstract left out']);
  });
});

describe.skipIf(!hasShared)('recorded OpenAlex fixtures', () => {
  it('W2741809807 (full singleton): ids, abstract, authors with ORCID, venue, biblio, created date', () => {
    const warnings: string[] = [];
    const r = parseOpenAlexWork(JSON.parse(readFileSync(join(SHARED, 'work_W2741809807_singleton_full.json'), 'utf8')), warnings);
    expect(warnings).toEqual([]);
    expect(r).toMatchObject({
      source: 'openalex', sourceId: 'W2741809807', doi: '10.7717/peerj.4375', pmid: '29456894', pmcid: 'PMC5815332',
      title: 'The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles',
      journal: 'PeerJ', issn: ['2167-8359'], volume: '6', pages: 'e4375', year: 2018, language: ['eng'],
      entryDate: '2017-08-08', kind: 'article', publicationTypes: ['article', 'journal-article'],
    });
    expect(r!.issue).toBeUndefined();
    expect(r!.abstract).toMatch(/^Despite growing interest in Open Access \(OA\) to scholarly literature, there is an unmet need/);
    expect(r!.authors[0]).toEqual({ family: 'Piwowar', given: 'Heather', initials: 'H', orcid: '0000-0003-1613-5981' });
    expect(r!.authors).toHaveLength(9);
    expect(r!.warnings).toBeUndefined();
  });

  it('W4234567890 (paratext): null title and abstract, author without id, is_retracted null', () => {
    const r = parseOpenAlexWork(JSON.parse(readFileSync(join(SHARED, 'work_W4234567890_paratext_null_title.json'), 'utf8')));
    expect(r).toMatchObject({ sourceId: 'W4234567890', doi: '10.4018/jnn.20180101', title: '', kind: 'other', entryDate: '2022-05-12', volume: '3', issue: '1' });
    expect(r!.authors[0]).toMatchObject({ family: 'Rasulev', given: 'Bakhtiyor' });
    expect(r!.flags.retracted).toBe(false);
    expect(r!.abstract).toBeUndefined();
    expect(r!.warnings).toEqual(['no title (type paratext)']);
  });

  it('maps every work of every recorded list page with its own W id and no warnings beyond missing titles', () => {
    const pages = readdirSync(SHARED).filter((f) => f.startsWith('list_') && !f.endsWith('.http.json'));
    let works = 0;
    for (const f of pages) {
      const page = json(join(SHARED, f));
      for (const work of page.results) {
        const warnings: string[] = [];
        const r = parseOpenAlexWork(work, warnings);
        if (f.includes('select_ids')) {
          // select=ids returns only `ids`, no `id`: nothing keys a record, so it is skipped with a reason
          expect(r).toBeUndefined();
          expect(warnings[0]).toMatch(/no OpenAlex W id/);
          continue;
        }
        works++;
        expect(warnings, f).toEqual([]);
        expect(r!.sourceId, f).toBe(((work as { id: string }).id).replace('https://openalex.org/', ''));
        expect(r!.title.length, f).toBeGreaterThan(0);
        expect(r!.doi, f).toMatch(/^10\./);
        expect(r!.warnings, f).toBeUndefined();
      }
    }
    expect(works).toBe(8);
  });
});
