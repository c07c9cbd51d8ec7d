import { describe, expect, it } from 'vitest';
import {
  normalizeDoi,
  normalizeIssns,
  normalizeJournal,
  normalizePages,
  normalizePmcid,
  normalizePmid,
  normalizeTitle,
  normalizeYear,
  parseAuthorName,
  splitNoticePrefix,
} from '../../src/dedup/normalize.js';

describe('normalizeDoi', () => {
  it.each([
    ['https://doi.org/10.1002/CNCR.22032', '10.1002/cncr.22032'],
    ['http://dx.doi.org/10.1002/cncr.22032', '10.1002/cncr.22032'],
    ['doi:10.1002/cncr.22032', '10.1002/cncr.22032'],
    ['10.1002/cncr.22032.', '10.1002/cncr.22032'],
    ['10.1002/cncr.22032 [doi]', '10.1002/cncr.22032'],
    ['10.25300/MISQ/2021/16085/', '10.25300/misq/2021/16085'],
    ['https://doi.org/10.1016/S0140-6736%2820%2930183-5', '10.1016/s0140-6736(20)30183-5'],
  ])('%s → %s', (raw, want) => expect(normalizeDoi(raw)).toBe(want));
  it('rejects text without a DOI', () => expect(normalizeDoi('n/a')).toBeUndefined());
});

describe('identifiers', () => {
  it('PMID keeps the digits', () => expect(normalizePmid('https://pubmed.ncbi.nlm.nih.gov/016862599')).toBe('16862599'));
  it('PMCID gets the PMC prefix', () => {
    expect(normalizePmcid('pmc123456')).toBe('PMC123456');
    expect(normalizePmcid('123456')).toBe('PMC123456');
  });
  it('ISSNs from a mixed cell', () => expect(normalizeIssns('0008-543X (Print) | 10970142')).toEqual(['0008543X', '10970142']));
  it('year from a date string', () => expect(normalizeYear('2006 Sep 1')).toBe(2006));
});

describe('normalizeTitle', () => {
  it('folds case, punctuation and diacritics', () => expect(normalizeTitle('Café-Based  Naïve MODELS!')).toBe('cafe based naive models'));
  it('strips HTML/XML markup', () => expect(normalizeTitle('Effects of <i>in vitro</i> H<sub>2</sub>O')).toBe('effects of in vitro h 2 o'));
  it('spells Greek letters', () => expect(normalizeTitle('α-tocopherol and β-cells')).toBe('alpha tocopherol and beta cells'));
  it('drops a trailing language note', () => expect(normalizeTitle('Efficacy of batroxobin. [Chinese]')).toBe('efficacy of batroxobin'));
  it('keeps the bracketed translated title', () =>
    expect(normalizeTitle('[A study on mycobacterium vaccine]. Eine Studie über Impfstoff')).toBe('a study on mycobacterium vaccine'));
  it('drops database annotations', () => expect(normalizeTitle('HPV testing: review. [Review] [45 refs]')).toBe('hpv testing review'));
  it('drops notice prefixes', () => expect(normalizeTitle('Erratum: HPV testing')).toBe('hpv testing'));
  it('drops an appended original-language title', () =>
    expect(normalizeTitle('[Neoadjuvant chemotherapy in stage IIIA] <ORIGINAL> NEOADJUVANTE CHEMOTHERAPIE')).toBe('neoadjuvant chemotherapy in stage iiia'));
  it('drops a section label before the title', () => {
    expect(normalizeTitle('SIM Competition Paper - Developing an expert systems strategy')).toBe('developing an expert systems strategy');
    expect(normalizeTitle('ICIS Paper: Developing an expert systems strategy')).toBe('developing an expert systems strategy');
    expect(normalizeTitle('Paper mills: developing an expert systems strategy')).toBe('paper mills developing an expert systems strategy');
  });
  it('drops a PDF footnote marker after the title but keeps a part number', () => {
    expect(normalizeTitle('PLATFORM ECOSYSTEMS: HOW DEVELOPERS INVERT THE FIRM 1')).toBe('platform ecosystems how developers invert the firm');
    expect(normalizeTitle('Screening for cervical cancer, part 1')).toBe('screening for cervical cancer part 1');
    expect(normalizeTitle('ONLINE AUCTION USERS 1 Ofir Turel')).toBe('online auction users');
    expect(normalizeTitle('SCREENING FOR CERVICAL CANCER, PART 1 Ofir Turel')).toBe('screening for cervical cancer part 1 ofir turel');
    expect(normalizeTitle('Insulin in type 1 Diabetes Mellitus')).toBe('insulin in type 1 diabetes mellitus');
  });
  it('drops link notes, also when cut off', () => {
    expect(normalizeTitle('HPV testing.[Erratum appears in Cancer. 2006;15(1):187]')).toBe('hpv testing');
    expect(normalizeTitle('HPV testing in Sweden.[Erratum appears in Acta Obstet Gyneco')).toBe('hpv testing in sweden');
  });
});

describe('splitNoticePrefix', () => {
  it.each([
    ['Erratum: X', 'erratum'],
    ['Correction to: X', 'erratum'],
    ['Errata Note: X', 'erratum'],
    ['Erratum', 'erratum'],
    ['MIS Quarterly ERRATA NOTES', 'erratum'],
    ['Retraction notice to: X', 'retraction'],
    ['Retraction notice to "X"', 'retraction'],
    ['Expression of concern: X', 'expression-of-concern'],
    ['RETRACTED: X', 'retracted'],
    ['X (Retracted article. See vol 3, pg 5)', 'retracted'],
    ['Long-term effect of eculizumab on kidney function (vol 85, pg 553, 2010)', 'erratum'],
  ])('%s', (title, kind) => expect(splitNoticePrefix(title).notice).toBe(kind));
  it('leaves ordinary titles alone', () => {
    expect(splitNoticePrefix('Correction of scoliosis').notice).toBeUndefined();
    expect(splitNoticePrefix('Correction notes on a method').notice).toBeUndefined();
    expect(splitNoticePrefix('Scoliosis correction').notice).toBeUndefined();
    expect(splitNoticePrefix('Outcomes in 2010 (a cohort of 553 patients)').notice).toBeUndefined();
  });
  it('strips the Web of Science correction suffix', () =>
    expect(splitNoticePrefix('Long-term effect of eculizumab (vol 85, pg 553, 2010)').rest).toBe('Long-term effect of eculizumab'));
  it('leaves no title of a notice that names nothing else', () => expect(splitNoticePrefix('MIS Quarterly ERRATA NOTES').rest).toBe(''));
  it('strips a prefix that runs straight into a quoted title', () => expect(splitNoticePrefix('Retraction notice to "X"').rest).toBe('"X"'));
});

describe('authors', () => {
  it.each([
    ['Zuna, R E', 'Zuna', 'RE'],
    ['Zuna RE', 'Zuna', 'RE'],
    ['Rosemary E. Zuna', 'Zuna', 'RE'],
    ['Ludwig van Beethoven', 'van Beethoven', 'L'],
    ['Smith J.', 'Smith', 'J'],
    ['Watson D.P.', 'Watson', 'DP'],
    ['Dupont J.-P.', 'Dupont', 'JP'],
    ['Rosemary E. ZUNA', 'ZUNA', 'RE'],
  ])('%s', (raw, family, initials) => expect(parseAuthorName(raw)).toMatchObject({ family, initials }));
  it.each(['World Health Organization', 'Cochrane Collaboration', 'PRISMA Group', 'SPRINT Research Group', 'Ministry of Health', 'University of York Centre for Reviews'])(
    '%s is a collective author, kept whole',
    (raw) => expect(parseAuthorName(raw)).toEqual({ family: raw, initials: '', collective: true }),
  );
  it('a person named with a comma is a person whatever the words', () => expect(parseAuthorName('Center, John').collective).toBeUndefined());
  it.each(['World Health Organization, Regional Office for Europe', 'Centers for Disease Control and Prevention, Atlanta', 'Smith Foundation, Department of Research'])(
    '%s, a body and its part, is one collective author',
    (raw) => expect(parseAuthorName(raw)).toEqual({ family: raw, initials: '', collective: true }),
  );
});

describe('journals and pages', () => {
  it('journal ignores stop words and "&"', () =>
    expect(normalizeJournal('Seminars in Thrombosis & Hemostasis')).toBe(normalizeJournal('Seminars in thrombosis and hemostasis')));
  it('journal abbreviation "J" counts as the stop word "journal"', () =>
    expect(normalizeJournal('J Infect Chemother')).toBe('infect chemother'));
  it('journal keeps the part before "="', () => expect(normalizeJournal('Ai zheng = Aizheng = Chinese journal of cancer')).toBe('ai zheng'));
  it('expands abbreviated page ranges', () => expect(normalizePages('1116-22')).toEqual(normalizePages('1116-1122')));
  it('reads e-locators and supplement pages', () => {
    expect(normalizePages('e43268')).toEqual({ start: '43268' });
    expect(normalizePages('S34-S42')).toEqual({ start: '34', end: '42' });
    expect(normalizePages('Suppl-48')).toBeUndefined();
  });
});
