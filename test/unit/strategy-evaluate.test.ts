import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { packageRoot } from '../../src/paths.js';
import { plainText } from '../../src/sources/markup.js';
import { compileEvaluator, words } from '../../src/strategy/evaluate.js';
import { iso1Code, medlineCode, medlineFromIso1 } from '../../src/strategy/languages.js';
import { localCheckNotes } from '../../src/strategy/vocabulary.js';
import type { SearchStrategy } from '../../src/strategy/types.js';

const mercer = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml')).strategy;
const matches = compileEvaluator(mercer);

describe('local strategy evaluator', () => {
  it('keeps a word whole across a soft hyphen or zero-width joiner', () => {
    expect(words('Peer na\u00ADloxone and over\u200Ddose')).toEqual(['peer', 'naloxone', 'and', 'overdose']);
    expect(words(plainText('na&shy;loxone'))).toEqual(['naloxone']);
  });

  it('splits words on hyphens and punctuation, drops case and diacritics', () => {
    expect(words('Peer-led naloxone: Café résumé')).toEqual(['peer', 'led', 'naloxone', 'cafe', 'resume']);
  });

  it('needs a term of every block (AND of ORs), in title or abstract', () => {
    expect(matches({ title: 'Peer-delivered naloxone distribution', abstract: 'Reducing opioid overdoses in Ohio.' })).toBe(true);
    expect(matches({ title: 'Naloxone distribution in pharmacies', abstract: 'Reducing opioid overdoses.' })).toBe(false);
    expect(matches({ title: 'Peer support in schizophrenia', abstract: 'Recovery coaching outcomes.' })).toBe(false);
  });

  it('truncates only the last word of a term, and matches phrases as whole words in order', () => {
    expect(matches({ title: 'Peer workers and drug-related deaths' })).toBe(true); // peer worker*, drug-related death*
    expect(matches({ title: 'Peerless outreach after an overdose' })).toBe(false); // "peer" is no prefix term
    expect(matches({ title: 'Support from a peer after overdose' })).toBe(true); // peer alone
    const phrase = compileEvaluator({ ...mercer, blocks: [{ name: 'x', mesh: [], terms: [{ text: 'peer support*', field: 'tiab' }] }] });
    expect(phrase({ title: 'Support peer groups' })).toBe(false);
    expect(phrase({ title: 'Peer supporters' })).toBe(true);
  });

  it('honours the field: a title-only term does not match the abstract, MeSH headings match the record', () => {
    const s: SearchStrategy = {
      reconstructed: false,
      limits: { languages: [] },
      blocks: [{ name: 'x', mesh: ['Naloxone'], terms: [{ text: 'take-home', field: 'title' }] }],
    };
    const m = compileEvaluator(s);
    expect(m({ title: 'Kits', abstract: 'take-home kits' })).toBe(false);
    expect(m({ title: 'Take-home kits' })).toBe(true);
    expect(m({ title: 'Kits', meshTerms: ['naloxone'] })).toBe(true);
  });

  it('leaves out a record holding any term or heading of a not block, in that term\'s field', () => {
    const s: SearchStrategy = {
      reconstructed: false,
      limits: { languages: [] },
      blocks: [{ name: 'opioids', mesh: [], terms: [{ text: 'opioid taper*', field: 'tiab' }] }],
      not: [
        { name: 'cancer', mesh: ['Neoplasms'], terms: [{ text: 'cancer pain', field: 'tiab' }, { text: 'rodent*', field: 'title' }] },
        { name: 'protocols', mesh: [], terms: [{ text: 'study protocol', field: 'all' }] },
      ],
    };
    const m = compileEvaluator(s);
    expect(m({ title: 'Opioid tapering in chronic pain' })).toBe(true);
    expect(m({ title: 'Opioid tapering', abstract: 'Patients with cancer pain.' })).toBe(false);
    expect(m({ title: 'Opioid tapering', meshTerms: ['Neoplasms/drug therapy'] })).toBe(false);
    expect(m({ title: 'Opioid tapering in rodents' })).toBe(false);
    expect(m({ title: 'Opioid tapering', abstract: 'No rodents were harmed.' })).toBe(true); // rodent* is a title term
    expect(m({ title: 'Opioid tapering', keywords: ['study protocol'] })).toBe(false);
    expect(m({ title: 'Cancer pain and opioids' })).toBe(false); // fails the blocks as well
  });

  it('reads MeSH for an `all` term, and a heading with a qualifier as its descriptor', () => {
    const s: SearchStrategy = {
      reconstructed: false,
      limits: { languages: [] },
      blocks: [
        { name: 'a', mesh: [], terms: [{ text: 'harm reduction', field: 'all' }] },
        { name: 'b', mesh: ['Drug Overdose/prevention & control'], terms: [] },
      ],
    };
    const m = compileEvaluator(s);
    expect(m({ title: 'Kits', meshTerms: ['Harm Reduction', 'Drug Overdose'] })).toBe(true);
    expect(m({ title: 'Kits', abstract: 'harm reduction', meshTerms: ['Overdose'] })).toBe(false);
    const tiab = compileEvaluator({ ...s, blocks: [{ name: 'a', mesh: [], terms: [{ text: 'harm reduction', field: 'tiab' }] }] });
    expect(tiab({ title: 'Kits', meshTerms: ['Harm Reduction'] })).toBe(false);
  });
});

describe('local check of publication types and unless', () => {
  const opioids = { name: 'opioids', mesh: [], terms: [{ text: 'opioid*', field: 'tiab' as const }] };
  const s: SearchStrategy = {
    reconstructed: false,
    limits: { languages: [] },
    blocks: [opioids, { name: 'design', mesh: [], terms: [{ text: 'randomised', field: 'tiab' }], publicationTypes: ['Randomized Controlled Trial', 'Review'] }],
    not: [
      { name: 'opinion', mesh: [], terms: [], publicationTypes: ['Editorial', 'Comment', 'Letter', 'Preprint'] },
      { name: 'animals', mesh: ['Animals'], terms: [], unless: { mesh: ['Humans'], terms: [] } },
    ],
  };

  it('matches PubMed names on PubMed and Europe PMC records, in any case, as alternatives of a block', () => {
    for (const source of ['pubmed', 'europepmc']) {
      const m = compileEvaluator(s, source);
      expect(m({ title: 'Opioid tapering', publicationTypes: ['Journal Article', 'Randomized Controlled Trial'] })).toBe(true);
      expect(m({ title: 'Opioid tapering', publicationTypes: ['randomized controlled trial'] })).toBe(true);
      expect(m({ title: 'Opioid tapering', publicationTypes: ['Journal Article'] })).toBe(false);
      expect(m({ title: 'Opioid tapering: a randomised trial', publicationTypes: ['Journal Article'] })).toBe(true);
      expect(m({ title: 'Opioid tapering: a randomised trial', publicationTypes: ['Comment', 'Journal Article'] })).toBe(false);
    }
  });

  it('leaves out animal studies unless they are human studies too (NOT (Animals NOT Humans))', () => {
    const m = compileEvaluator(s);
    const trial = { title: 'Opioid tapering: a randomised trial' };
    expect(m({ ...trial, meshTerms: ['Animals', 'Rats', 'Analgesics, Opioid'] })).toBe(false);
    expect(m({ ...trial, meshTerms: ['Animals', 'Humans', 'Mice'] })).toBe(true);
    expect(m({ ...trial, meshTerms: ['Humans'] })).toBe(true);
    expect(m(trial)).toBe(true);
  });

  it('reads OpenAlex and Crossref types by their own names where one means the same, and no other', () => {
    const openalex = compileEvaluator(s, 'openalex');
    const trial = { title: 'Opioid tapering: a randomised trial' };
    expect(openalex({ ...trial, publicationTypes: ['letter', 'journal-article'] })).toBe(false);
    expect(openalex({ ...trial, publicationTypes: ['preprint', 'posted-content'] })).toBe(false);
    expect(openalex({ ...trial, publicationTypes: ['article', 'journal-article'] })).toBe(true);
    expect(openalex({ title: 'Opioids and pain', publicationTypes: ['review', 'journal-article'] })).toBe(true); // Review of the design block
    expect(openalex({ title: 'Opioids and pain', publicationTypes: ['article'] })).toBe(false); // no OpenAlex type for an RCT
    expect(openalex({ ...trial, meshTerms: ['Animals'] })).toBe(false); // OpenAlex has MeSH for PubMed works
    const crossref = compileEvaluator(s, 'crossref');
    expect(crossref({ ...trial, publicationTypes: ['posted-content', 'preprint'] })).toBe(false);
    expect(crossref({ ...trial, publicationTypes: ['journal-article'] })).toBe(true);
    // An OpenAlex name on a Crossref record means nothing there: Letter is no Crossref type.
    expect(crossref({ ...trial, publicationTypes: ['letter'] })).toBe(true);
  });

  it('does not apply a not block whose unless the records cannot show, and says so', () => {
    const needsHumans: SearchStrategy = { ...s, not: [{ name: 'rodents', mesh: [], terms: [{ text: 'rats', field: 'tiab' }], unless: { mesh: ['Humans'], terms: [] } }] };
    // Crossref records carry no MeSH: leaving out every record on rats would drop human studies too.
    expect(compileEvaluator(needsHumans, 'crossref')({ title: 'Opioid tapering in rats and patients: a randomised trial' })).toBe(true);
    expect(compileEvaluator(needsHumans, 'pubmed')({ title: 'Opioid tapering in rats: a randomised trial' })).toBe(false);
    expect(compileEvaluator(needsHumans, 'pubmed')({ title: 'Opioid tapering in rats: a randomised trial', meshTerms: ['Humans'] })).toBe(true);
    expect(localCheckNotes(needsHumans, 'crossref')).toContain(
      'crossref: not block "rodents" leaves out no record: its unless needs MeSH headings, which Crossref records do not carry',
    );
    const byType: SearchStrategy = { ...s, not: [{ name: 'rodents', mesh: [], terms: [{ text: 'rats', field: 'tiab' }], unless: { mesh: [], terms: [], publicationTypes: ['Clinical Trial'] } }] };
    expect(compileEvaluator(byType, 'openalex')({ title: 'Opioid tapering in rats: a randomised trial' })).toBe(true);
  });

  it('lists each type a source has no name for, and nothing for PubMed', () => {
    expect(localCheckNotes(s, 'pubmed')).toEqual([]);
    expect(localCheckNotes(s, 'openalex')).toEqual([
      'openalex: publication type "Randomized Controlled Trial" of block "design" has no OpenAlex type of the same meaning and matches no record: the block\'s other alternatives still apply',
      'openalex: publication type "Comment" of not block "opinion" has no OpenAlex type of the same meaning and leaves out no record',
    ]);
    expect(localCheckNotes(s, 'crossref')).toHaveLength(6); // RCT, Review; Editorial, Comment, Letter; the animal filter's unless
  });
});

describe('languages', () => {
  it('speaks one table for every source: PubMed names, MEDLINE codes, ISO 639-1 codes', () => {
    expect(medlineCode('English')).toBe('eng');
    expect(medlineCode('fre')).toBe('fre');
    expect(medlineCode('klingon')).toBeUndefined();
    expect(iso1Code('english')).toBe('en');
    expect(iso1Code('ger')).toBe('de');
    expect(medlineFromIso1('en-GB')).toBe('eng');
    expect(medlineFromIso1('nb')).toBe('nor');
    expect(medlineFromIso1('xx')).toBe('xx');
  });
});
