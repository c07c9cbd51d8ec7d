import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { packageRoot } from '../../src/paths.js';
import { plainText } from '../../src/sources/markup.js';
import { compileEvaluator, words } from '../../src/strategy/evaluate.js';
import { iso1Code, medlineCode, medlineFromIso1 } from '../../src/strategy/languages.js';
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
