import { describe, expect, it } from 'vitest';
import { blockKeys } from '../../src/dedup/blocking.js';
import { matchPair } from '../../src/dedup/match.js';
import { normalizeRecord } from '../../src/dedup/record.js';
import { relatePair } from '../../src/dedup/relations.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';

const base: SourceRecord = {
  source: 't',
  sourceId: '1',
  title: 'Comparison of human papillomavirus distribution in cytologic subgroups of low-grade lesions',
  authors: [{ family: 'Zuna', initials: 'RE' }, { family: 'Wang', initials: 'SS' }],
  journal: 'Cancer',
  year: 2006,
  volume: '108',
  pages: '288-297',
  flags: NO_FLAGS,
};
const rec = (over: Partial<SourceRecord>) => normalizeRecord({ ...base, ...over });

describe('matchPair', () => {
  it('merges the same article from two databases', () => {
    const d = matchPair(rec({ doi: '10.1000/a' }), rec({ sourceId: '2', journal: 'Cancer.', pages: '288-97', year: 2007 }));
    expect(d.verdict).toBe('same');
  });
  it('does not merge distinct abstracts sharing a supplement DOI', () => {
    const a = rec({ title: 'Outcomes of a trial of drug A in myeloma', doi: '10.1182/blood.suppl', pages: '101' });
    const b = rec({ title: 'Genetic risk factors in childhood leukaemia', doi: '10.1182/blood.suppl', pages: '102' });
    expect(matchPair(a, b).verdict).toBe('different');
  });
  it('keeps records with conflicting DOIs apart', () => {
    const d = matchPair(rec({ doi: '10.1000/a' }), rec({ doi: '10.1000/b' }));
    expect(d.verdict).not.toBe('same');
    expect(d.reason).toBe('doi-conflict');
  });
  it('keeps records with conflicting PMIDs apart', () => {
    expect(matchPair(rec({ pmid: '1' }), rec({ pmid: '2' }))).toMatchObject({ verdict: 'different', reason: 'pmid-conflict' });
  });
  it('merges on a shared PMID despite a title variant', () => {
    expect(matchPair(rec({ pmid: '1' }), rec({ pmid: '1', title: `${base.title} [German]`, pages: '1' })).verdict).toBe('same');
  });
  it('links rather than merges a preprint and its journal version', () => {
    const pre = rec({ doi: '10.1101/2020.01.02.123456', journal: 'medRxiv', volume: undefined, pages: undefined, year: 2005 });
    const pub = rec({ doi: '10.1002/cncr.1' });
    expect(matchPair(pre, pub)).toMatchObject({ verdict: 'different', reason: 'preprint-vs-published' });
    expect(relatePair(pre, pub)).toEqual({ type: 'version-of', from: 'a' });
  });
  it('links rather than merges an erratum and its article', () => {
    const err = rec({ title: `Erratum: ${base.title}`, pages: '12', volume: '109', year: 2007 });
    expect(matchPair(err, rec({}))).toMatchObject({ verdict: 'different', reason: 'notice-vs-article' });
    expect(relatePair(rec({}), err)).toEqual({ type: 'erratum-for', from: 'b' });
  });
  it('keeps a conference abstract apart from the full paper', () => {
    const abs = rec({ journal: 'Blood', volume: '100', pages: 'S12' });
    expect(matchPair(abs, rec({})).verdict).toBe('different');
  });
  it('keeps recurring same-title items of different issues apart', () => {
    const a = rec({ title: "Editor's comments", issue: '1', pages: undefined });
    expect(matchPair(a, rec({ title: "Editor's comments", issue: '2', pages: undefined })).verdict).not.toBe('same');
  });
  it('merges a reworded translated title when journal, volume, year, page range and authors agree', () => {
    const d = matchPair(rec({ title: 'A new paracentesis needle for ascites compared with the venous catheter' }), rec({ title: '[A new paracentesis device for ascites compared with angiocath]' }));
    expect(d).toMatchObject({ verdict: 'same', reason: 'locator+authors' });
  });
  it('does not let a shared single page stand in for the page range', () => {
    const title = (t: string) => rec({ title: t, pages: '288' });
    expect(matchPair(title('A new paracentesis needle for ascites compared with the venous catheter'), title('A new paracentesis device for ascites compared with angiocath')).verdict).not.toBe('same');
  });
  it('counts a surname that lost its particle or first part as the same author', () => {
    const a = rec({ authors: [{ family: 'van der Heijden', initials: 'H' }] });
    expect(matchPair(a, rec({ authors: [{ family: 'der Heijden', initials: 'H' }], pages: undefined })).verdict).toBe('same');
    expect(matchPair(a, rec({ authors: [{ family: 'Heiden', initials: 'H' }], pages: undefined })).verdict).not.toBe('same');
  });
  it('merges a title that ends a longer one (special-issue heading) but not a three-word column heading', () => {
    const title = 'Platform ecosystems: how developers invert the firm';
    const a = rec({ title, issue: '1', pages: undefined });
    expect(matchPair(a, rec({ title: `SPECIAL ISSUE: IT AND INNOVATION ${title.toUpperCase()}`, issue: '1', pages: undefined })).verdict).toBe('same');
    const col = rec({ title: "Editor's comments", issue: '1', pages: undefined });
    expect(matchPair(col, rec({ title: "Editor's comments: the rhetoric of positivism", issue: '1', pages: undefined })).verdict).not.toBe('same');
  });
  it('counts a surname one typo away as the same author, but not short or twice-changed names', () => {
    const by = (family: string) => rec({ authors: [{ family, initials: 'D' }], pages: undefined });
    expect(matchPair(by('Kopcso'), by('Kopsco')).verdict).toBe('same');
    expect(matchPair(by('Leitheiser'), by('Leithelser')).verdict).toBe('same');
    expect(matchPair(by('Kopcso'), by('Kapsco')).verdict).not.toBe('same');
    expect(matchPair(by('Chan'), by('Chen')).verdict).not.toBe('same');
  });
  it('merges a co-authored long title whose issue one source got wrong, not a single editor\'s recurring column', () => {
    const a = rec({ issue: '3' });
    expect(matchPair(a, rec({ issue: '4', pages: undefined }))).toMatchObject({ verdict: 'same', reason: 'title+volume' });
    expect(matchPair(a, rec({ issue: '4', pages: '911' })).verdict).not.toBe('same');
    const editor = { title: 'Remarks from the MIS Quarterly editor - editor\'s comments', authors: [{ family: 'Lee', initials: 'AS' }], pages: undefined };
    expect(matchPair(rec({ ...editor, issue: '3' }), rec({ ...editor, issue: '4' })).verdict).not.toBe('same');
  });
  it('recognises a dropped subtitle despite a typo in the shared words, not a different short title', () => {
    // Same volume and issue, no pages: the title has to carry the decision.
    const title = (t: string) => rec({ title: t, issue: '1', pages: undefined });
    const full = title('Chauffeured versus end user access to commercial databases: the effects of task and individual differences');
    expect(matchPair(full, title('Chauffeured versus end user access to commerical databases'))).toMatchObject({ verdict: 'same', reason: 'similar-title+locator' });
    expect(matchPair(full, title('Chauffeured versus end user access to public libraries')).verdict).not.toBe('same');
  });
  it('merges a short title by the same three authors in the same journal and year, not by one editor', () => {
    const team = [{ family: 'Engel', initials: 'ME' }, { family: 'Matchaba', initials: 'PT' }, { family: 'Volmink', initials: 'J' }];
    const review = (over: Partial<SourceRecord>) => rec({ title: 'Corticosteroids for tuberculous pleurisy', journal: 'Cochrane Database Syst Rev', volume: undefined, authors: team, ...over });
    expect(matchPair(review({ pages: 'CD001876' }), review({ pages: undefined }))).toMatchObject({ verdict: 'same', reason: 'title+authors+venue' });
    const editor = (pages?: string) => review({ title: "Editor's comments", authors: [{ family: 'Weber', initials: 'R' }], pages });
    expect(matchPair(editor('iii'), editor(undefined)).verdict).not.toBe('same');
  });
  it('matches an author list whose given names were taken for surnames, not a different list', () => {
    const wu = rec({ authors: [{ family: 'Wu', initials: 'CY' }, { family: 'Yang', initials: 'CL' }], pages: undefined });
    const swapped = rec({ authors: [{ family: 'Ching-yi', initials: 'W' }, { family: 'Chieh-ling', initials: 'Y' }], pages: undefined });
    expect(matchPair(wu, swapped).verdict).toBe('same');
    const other = rec({ authors: [{ family: 'Chan', initials: 'W' }, { family: 'Lee', initials: 'Y' }], pages: undefined });
    expect(matchPair(wu, other).verdict).not.toBe('same');
  });
  it('merges a 6+ word title inside a special-issue heading with half the authors, not a shorter one', () => {
    const half = [{ family: 'Zuna', initials: 'RE' }, { family: 'Lubar', initials: 'SB' }];
    const pair = (title: string) =>
      matchPair(rec({ title, issue: '1', pages: undefined }), rec({ title: `SPECIAL ISSUE: SERVICE IN THE DIGITAL AGE ${title.toUpperCase()} 1`, authors: half, issue: '1', pages: undefined }));
    expect(pair('Service innovation: a service-dominant logic perspective')).toMatchObject({ verdict: 'same', reason: 'title-affix+locator' });
    expect(pair('Service innovation: a perspective')).not.toMatchObject({ verdict: 'same' });
  });
  it('merges a 6+ word end of a title in the same issue from a PDF that lost its authors, not a shorter end', () => {
    const full = rec({ title: 'Rethinking the issue of whether IS people are different from non-IS people', issue: '1', pages: undefined });
    const pdf = (title: string) => rec({ sourceId: 'p', title, authors: [], issue: '1', pages: undefined, year: undefined });
    expect(matchPair(full, pdf('People Are Different From Non-IS People'))).toMatchObject({ verdict: 'same', reason: 'title-affix+locator' });
    expect(matchPair(full, pdf('From Non-IS People')).verdict).not.toBe('same');
    expect(matchPair(full, { ...pdf('People Are Different From Non-IS People'), issue: '2' }).verdict).not.toBe('same');
  });
  it('lets a journal name that ends the other one pass as unknown, not as a conflict', () => {
    const de = rec({ title: 'Neoadjuvant chemotherapy in locally advanced stages IIIA and IIIB of non-small cell lung cancer', journal: 'Schweizerische Rundschau fur Medizin Praxis', authors: [{ family: 'Eberhardt', initials: 'W' }] });
    const en = (journal: string) => rec({ title: '[Neoadjuvant chemotherapy in stage IIIA and IIIB of bronchial carcinoma (the Essen concept)]', journal, authors: [{ family: 'Eberhardt', initials: 'W' }] });
    expect(matchPair(de, en('Praxis'))).toMatchObject({ verdict: 'same', reason: 'locator+authors' });
    expect(matchPair(de, en('Praxis der Kinderpsychologie')).verdict).not.toBe('same');
  });
  it('merges past two swapped DOI characters when title, volume, issue, year and page range agree, not a recurring editorial', () => {
    expect(matchPair(rec({ doi: '10.25300/misq/2022/16526', issue: '2' }), rec({ doi: '10.25300/misq/2022/16256', issue: '2' })).verdict).toBe('same');
    const editorial = (doi: string, issue: string) => rec({ title: 'Editorial introduction', doi, issue, pages: '5-6' });
    expect(matchPair(editorial('10.2753/mis0742-1222250300', '3'), editorial('10.2753/mis0742-1222250400', '4')).verdict).not.toBe('same');
  });
  it('tells recurring items of a journal apart without asking, but asks about a long title in another issue', () => {
    const notes = (issue: string, doi: string) => rec({ title: 'Editorial notes', authors: [base.authors[0]!], volume: '22', issue, pages: undefined, doi });
    expect(matchPair(notes('1', '10.1287/isre.1110.0355'), notes('2', '10.1287/isre.1110.0369'))).toMatchObject({ verdict: 'different', reason: 'recurring-item' });
    expect(matchPair(notes('1', '10.1287/isre.1110.0355'), notes('1', '10.1287/isre.1110.0369'))).toMatchObject({ verdict: 'different', reason: 'recurring-item' });
    expect(matchPair(rec({ issue: '1', pages: undefined }), rec({ issue: '2', pages: undefined, authors: [base.authors[0]!] })).verdict).toBe('uncertain');
    // One editor's column, five words, in the next issue or volume: no pages tell it apart, the issue does.
    const remarks = (volume: string, issue: string) =>
      rec({ title: 'Remarks from MIS Quarterly Editor', journal: 'MIS Quarterly', authors: [{ family: 'Zmud', initials: 'R' }], volume, issue, pages: undefined });
    expect(matchPair(remarks('20', '1'), remarks('21', '4'))).toMatchObject({ verdict: 'different', reason: 'recurring-item' });
    expect(matchPair(remarks('21', '1'), remarks('21', '4'))).toMatchObject({ verdict: 'different', reason: 'recurring-item' });
  });
  it('merges a titled errata note with the same notice a PDF gives no title, in one issue by one author', () => {
    const note = (title: string) => rec({ title, journal: 'MIS Quarterly', authors: [{ family: 'DeGross', initials: 'JI' }], volume: '29', issue: '4', pages: undefined });
    const titled = note('Errata Notes: What happens after ERP implementation');
    expect(matchPair(titled, note('MIS Quarterly ERRATA NOTES')).verdict).toBe('same');
    // Not with the article it corrects, which is linked instead.
    expect(matchPair(titled, note('What happens after ERP implementation')).verdict).toBe('different');
  });
  it("keeps other journals' same-numbered editorials apart without asking", () => {
    const editorial = (journal: string, family: string) =>
      rec({ title: 'Editorial', journal, authors: [{ family, initials: 'A' }], volume: '26', issue: '1', pages: '1-2' });
    const isj = editorial('Information Systems Journal', 'Powell');
    expect(matchPair(isj, editorial('MIS Quarterly', 'Galliers')).verdict).toBe('different');
    // The same editorial in two databases is still one work.
    expect(matchPair(isj, editorial('Inf Syst J', 'Powell')).verdict).toBe('same');
  });
  it('keeps Part I and Part II apart', () => {
    expect(matchPair(rec({ title: `${base.title}: part I` }), rec({ title: `${base.title}: part II`, pages: '298-305' })).verdict).toBe('different');
  });
  it('merges past a mistyped number in the title when journal, volume, page range, year and authors agree', () => {
    const gene = (title: string) => rec({ title: `${title} expression does not predict the outcome of CIN 2` });
    expect(matchPair(gene('p6INK4a'), gene('p16(INK4a)'))).toMatchObject({ verdict: 'same', reason: 'locator+authors' });
    expect(matchPair(gene('p6INK4a'), rec({ title: 'p16(INK4a) expression does not predict the outcome of CIN 2', pages: '300-310' })).verdict).toBe('different');
  });
  it('merges one article registered under two DOI prefixes, not two DOIs of one registrant', () => {
    const jstor = rec({ doi: '10.2307/41410404', issue: '1' });
    expect(matchPair(jstor, rec({ doi: '10.25300/misq/2012/36.1.02', issue: '1', pages: undefined })).verdict).toBe('same');
    expect(matchPair(jstor, rec({ doi: '10.2307/41410405', issue: '1', pages: undefined })).reason).toBe('doi-conflict');
    expect(matchPair(jstor, rec({ doi: '10.25300/misq/2012/36.1.02', issue: '1', pages: undefined, year: 2007 })).verdict).not.toBe('same');
  });
  it('merges a long title in one issue of one journal despite garbled authors', () => {
    const inIssue = (authors: SourceRecord['authors']) => rec({ issue: '4', pages: undefined, authors });
    expect(matchPair(inIssue(base.authors), inIssue([{ family: 'Chart', initials: '' }, { family: 'Kwok', initials: '' }]))).toMatchObject({ verdict: 'same', reason: 'title+issue' });
    expect(matchPair(inIssue(base.authors), rec({ issue: '5', pages: undefined, authors: [{ family: 'Chart', initials: '' }] })).verdict).not.toBe('same');
  });
  it('merges a title-less record into the titled one by the same authors in the same issue, never two title-less ones', () => {
    const pdf = (authors: SourceRecord['authors']) => rec({ title: undefined, year: undefined, pages: undefined, issue: '3', authors });
    const titled = rec({ issue: '3', pages: undefined });
    expect(matchPair(titled, pdf(base.authors))).toMatchObject({ verdict: 'same', reason: 'no-title+locator+authors' });
    expect(matchPair(titled, pdf([{ family: 'Zuna', initials: 'R' }, { family: 'Other', initials: 'X' }])).verdict).not.toBe('same');
    expect(matchPair(pdf(base.authors), pdf(base.authors)).verdict).not.toBe('same');
    // With pages on both sides a title-less item on the same pages may be a separate one: asked.
    expect(matchPair(rec({ issue: '3' }), rec({ title: undefined, issue: '3' })).verdict).toBe('uncertain');
    // A PDF that lost the issue too: the same list of two or more authors in the volume is enough,
    // one author of it or a single author is not.
    const noIssue = (authors: SourceRecord['authors']) => ({ ...pdf(authors), issue: undefined });
    expect(matchPair(titled, noIssue(base.authors)).verdict).toBe('same');
    expect(matchPair(titled, noIssue([base.authors[0]!])).verdict).not.toBe('same');
    const single = rec({ issue: '3', pages: undefined, authors: [base.authors[0]!] });
    expect(matchPair(single, noIssue([base.authors[0]!])).verdict).not.toBe('same');
  });
  it("merges the fragment of a title a PDF kept when the team and the issue agree, not another team's or issue's", () => {
    const team = [{ family: 'Compeau', initials: 'D' }, { family: 'Higgins', initials: 'C' }, { family: 'Huff', initials: 'S' }];
    const full = rec({ title: 'Social cognitive theory and individual reactions to computing technology: a longitudinal study', authors: team, journal: 'MIS Quarterly', volume: '23', issue: '2', pages: undefined });
    const pdf = (over: Partial<SourceRecord>) => rec({ title: 'A LONGITUDINAL STUDY 1', authors: team, journal: 'MIS Quarterly', volume: '23', issue: undefined, pages: undefined, year: undefined, ...over });
    expect(matchPair(full, pdf({}))).toMatchObject({ verdict: 'same', reason: 'title-fragment+authors+locator' });
    // An OCR slip inside the fragment ("COGNITlVE") still reads as the same words, at the title's
    // start too when one issue is unknown.
    expect(matchPair(full, pdf({ title: 'SOCIAL COGNITlVE THEORY' })).verdict).toBe('same');
    expect(matchPair({ ...full, issue: 'special issue' }, pdf({ title: 'SOCIAL COGNITlVE THEORY AND INDIVIDUAL REACTIONS' })).verdict).toBe('same');
    expect(matchPair(full, pdf({ issue: '3' })).verdict).not.toBe('same');
    expect(matchPair(full, pdf({ authors: team.slice(0, 1) })).verdict).not.toBe('same');
    expect(matchPair(full, pdf({ authors: [team[0]!, { family: 'Other', initials: 'X' }] })).verdict).not.toBe('same');
    expect(matchPair(full, pdf({ title: 'A cross-sectional study' })).verdict).not.toBe('same');
  });
  it("asks about a bare column heading and the titled column in the same issue, by the same editor or none", () => {
    const column = (title: string, over: Partial<SourceRecord> = {}) =>
      rec({ title, journal: 'MIS Quarterly', authors: [{ family: 'Weber', initials: 'R' }], volume: '26', issue: '3', pages: undefined, ...over });
    const titled = column("Editor's Comments: The alliance");
    expect(matchPair(titled, column("EDITOR'S COMMENTS"))).toMatchObject({ verdict: 'uncertain', reason: 'column-heading+locator' });
    expect(matchPair(titled, column("Editor's Comments", { authors: [] })).verdict).toBe('uncertain');
    expect(matchPair(titled, column("Editor's Comments", { issue: '4' })).verdict).toBe('different');
    expect(matchPair(titled, column("Editor's Comments", { authors: [{ family: 'Saunders', initials: 'C' }] })).verdict).toBe('different');
  });
  it('reads a number that lost its drop capital as the same number', () => {
    const survey = (title: string, family: string) =>
      rec({ title, journal: 'MIS Quarterly', authors: [{ family, initials: 'C' }, { family: 'Herbert', initials: 'M' }], volume: '10', issue: '4', pages: undefined });
    expect(matchPair(survey('1985 Opinion Survey of MIS Managers: Key Issues', 'Hartog'), survey('985 Opinion Survey of MIS Managers: Key Issues', 'Hertog')).verdict).toBe('same');
    expect(matchPair(survey('1985 Opinion Survey of MIS Managers: Key Issues', 'Hartog'), survey('1986 Opinion Survey of MIS Managers: Key Issues', 'Hartog')).verdict).toBe('different');
  });
  it('puts a record that lost title, year and issue in one block with its titled record', () => {
    const titled = rec({ issue: '3', pages: undefined });
    const pdf = rec({ title: undefined, year: undefined, pages: undefined, issue: undefined });
    expect(blockKeys(pdf).some((k) => blockKeys(titled).includes(k))).toBe(true);
  });
  it('reads through PDF extraction debris: a glued footnote mark, a running header, an issue line', () => {
    const title = 'Key issues in information systems management: 1994-95 SIM Delphi results';
    expect(matchPair(rec({ title }), rec({ title: `${title}1` })).verdict).toBe('same');
    expect(matchPair(rec({ title: 'Signalling through Notch1 in lymphomas' }), rec({ title: 'Signalling through Notch2 in lymphomas', pages: '400-410' })).reason).toBe('title-numbers');
    expect(rec({ title: "Zuna/Editor's Comments" }).title).toBe('editor s comments');
    expect(rec({ title: 'HIV/AIDS in prisons' }).title).toBe('hiv aids in prisons');
    expect(rec({ title: "EDITOR'S COMMENTS Volume 26 Iss.4" }).title).toBe('editor s comments');
  });
  it('rejects years more than one apart without a shared locator', () => {
    expect(matchPair(rec({ pages: undefined }), rec({ year: 2009, pages: undefined })).reason).toBe('year');
  });
});
