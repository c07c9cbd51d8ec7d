import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { ConfigError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { compileEuropePmc, europePmcLanguage } from '../../src/strategy/compile/europepmc.js';
import type { SearchStrategy } from '../../src/strategy/types.js';

const shipped = join(packageRoot, 'config/reviews/peer-support-overdose.yaml');

function strategy(over: Partial<SearchStrategy> = {}): SearchStrategy {
  return { reconstructed: false, blocks: [], limits: { languages: [] }, ...over };
}

describe('compileEuropePmc', () => {
  it('compiles the shipped protocol: blocks ANDed, TITLE_ABS terms and KW headings ORed, LANG:eng', () => {
    const q = compileEuropePmc(loadProtocol(shipped).strategy);
    const [peers, overdose, lang] = q.split(') AND ');
    expect(peers).toBe(
      '(TITLE_ABS:peer OR TITLE_ABS:peers OR TITLE_ABS:"peer-led" OR TITLE_ABS:"peer led" OR TITLE_ABS:"peer-delivered" OR ' +
        'TITLE_ABS:"peer-run" OR TITLE_ABS:"peer-based" OR TITLE_ABS:"peer-involved" OR TITLE_ABS:"peer-to-peer" OR ' +
        'TITLE_ABS:"peer support*" OR TITLE_ABS:"peer worker*" OR TITLE_ABS:"peer navigator*" OR TITLE_ABS:"peer recovery" OR ' +
        'TITLE_ABS:"peer educat*" OR TITLE_ABS:"peer trainer*" OR TITLE_ABS:"peer helper*" OR TITLE_ABS:"peer advocate*" OR ' +
        'TITLE_ABS:"peer responder*" OR TITLE_ABS:"peer mentor*" OR TITLE_ABS:"recovery coach*" OR TITLE_ABS:"lived experience" OR ' +
        'TITLE_ABS:"living experience" OR TITLE_ABS:"experiential worker*" OR TITLE_ABS:"user-run" OR ' +
        'TITLE_ABS:"drug user organi*" OR TITLE_ABS:"drug user union*" OR KW:"Peer Group"',
    );
    expect(overdose!.startsWith('(TITLE_ABS:overdos* OR TITLE_ABS:"drug-related death*" OR')).toBe(true);
    expect(overdose!.endsWith('OR KW:"Drug Overdose" OR KW:"Opiate Overdose" OR KW:Naloxone')).toBe(true);
    expect(lang).toBe('LANG:eng');
    // Every opening parenthesis and quote is closed: Europe PMC answers 400 to unbalanced queries.
    expect(q.split('(').length).toBe(q.split(')').length);
    expect(q.split('"').length % 2).toBe(1);
  });

  it('maps title and all scopes, and ORs several languages in one group', () => {
    const q = compileEuropePmc(
      strategy({
        blocks: [{ name: 'x', terms: [{ text: 'naloxone', field: 'title' }, { text: 'take-home naloxone', field: 'all' }], mesh: [] }],
        limits: { languages: ['English', 'french', 'ger', 'english'] },
      }),
    );
    expect(q).toBe('(TITLE:naloxone OR "take-home naloxone") AND (LANG:eng OR LANG:fre OR LANG:ger)');
  });

  it('quotes operator words and drops quotes inside terms, so the query stays one group', () => {
    const q = compileEuropePmc(strategy({ blocks: [{ name: 'x', terms: [{ text: 'OR', field: 'tiab' }, { text: 'the "good" peer', field: 'tiab' }], mesh: [] }] }));
    expect(q).toBe('(TITLE_ABS:"OR" OR TITLE_ABS:"the good peer")');
  });

  it('refuses a language it has no code for, naming it', () => {
    expect(() => europePmcLanguage('klingon')).toThrow(ConfigError);
    expect(() => europePmcLanguage('klingon')).toThrow('no Europe PMC LANG code for "klingon"');
    expect(europePmcLanguage(' Spanish ')).toBe('spa');
  });
});

describe('compileEuropePmc MeSH qualifiers', () => {
  it('sends a qualified heading as its descriptor, since KW holds descriptors alone', () => {
    const q = compileEuropePmc(strategy({ blocks: [{ name: 'x', terms: [], mesh: ['Opioid-Related Disorders/prevention and control', 'Pain/drug therapy'] }] }));
    expect(q).toBe('(KW:"Opioid-Related Disorders" OR KW:Pain)');
  });
});

describe('compileEuropePmc publication years', () => {
  it('adds a PUB_YEAR range, an open end to a year no record reaches', () => {
    const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'tiab' as const }], mesh: [] }];
    expect(compileEuropePmc(strategy({ blocks, limits: { languages: ['fre'], years: { from: 2010, to: 2024 } } }))).toBe('(TITLE_ABS:taper*) AND LANG:fre AND PUB_YEAR:[2010 TO 2024]');
    expect(compileEuropePmc(strategy({ blocks, limits: { languages: [], years: { to: 2024 } } }))).toBe('(TITLE_ABS:taper*) AND PUB_YEAR:[1000 TO 2024]');
  });
});

describe('compileEuropePmc NOT', () => {
  it('leaves out the terms and headings of every not block after all the rest', () => {
    const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'tiab' as const }], mesh: [] }];
    const not = [{ name: 'cancer', terms: [{ text: 'cancer pain', field: 'tiab' as const }], mesh: ['Neoplasms/drug therapy'] }];
    expect(compileEuropePmc(strategy({ blocks, not, limits: { languages: ['eng'] } }))).toBe('((TITLE_ABS:taper*) AND LANG:eng) NOT (TITLE_ABS:"cancer pain" OR KW:Neoplasms)');
  });

  it('leaves out an `all` term where title, abstract or keywords hold it, not wherever a full text mentions it', () => {
    const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'all' as const }], mesh: [] }];
    const not = [{ name: 'protocols', terms: [{ text: 'study protocol', field: 'all' as const }], mesh: [] }];
    expect(compileEuropePmc(strategy({ blocks, not }))).toBe('((taper*)) NOT (TITLE_ABS:"study protocol" OR KW:"study protocol")');
  });
});

describe('compileEuropePmc publication types and unless', () => {
  const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'tiab' as const }], mesh: [] }];

  it('sends publication types as PUB_TYPE alternatives, in a block and in the NOT', () => {
    const design = { name: 'design', terms: [{ text: 'randomized', field: 'tiab' as const }], mesh: [], publicationTypes: ['Randomized Controlled Trial'] };
    const not = [{ name: 'opinion', terms: [], mesh: [], publicationTypes: ['Editorial', 'Letter'] }];
    expect(compileEuropePmc(strategy({ blocks: [...blocks, design], not }))).toBe(
      '((TITLE_ABS:taper*) AND (TITLE_ABS:randomized OR PUB_TYPE:"Randomized Controlled Trial")) NOT (PUB_TYPE:Editorial OR PUB_TYPE:Letter)',
    );
  });

  it('nests a not block with unless as (block NOT unless), bracketing an `all` term sent as two fields', () => {
    const not = [
      { name: 'animals', terms: [], mesh: ['Animals'], unless: { terms: [], mesh: ['Humans'] } },
      { name: 'rodents', terms: [{ text: 'rats', field: 'all' as const }], mesh: [], unless: { terms: [], mesh: ['Humans'], publicationTypes: ['Clinical Trial'] } },
    ];
    expect(compileEuropePmc(strategy({ blocks, not }))).toBe(
      '((TITLE_ABS:taper*)) NOT ((KW:Animals NOT KW:Humans) OR ((TITLE_ABS:rats OR KW:rats) NOT (KW:Humans OR PUB_TYPE:"Clinical Trial")))',
    );
  });
});
