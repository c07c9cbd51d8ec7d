import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { ConfigError } from '../../src/errors.js';
import { packageRoot } from '../../src/paths.js';
import { compileOpenAlex } from '../../src/strategy/compile/openalex.js';
import type { SearchStrategy } from '../../src/strategy/types.js';

const shipped = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));

function strategy(blocks: SearchStrategy['blocks'], languages: string[] = []): SearchStrategy {
  return { reconstructed: false, blocks, limits: { languages } };
}

describe('compileOpenAlex', () => {
  it('compiles the shipped protocol to one title_and_abstract.search filter and language:en', () => {
    const q = compileOpenAlex(shipped.strategy);
    const [search, language, ...rest] = q.split(',');
    expect(rest).toEqual([]);
    expect(language).toBe('language:en');
    expect(search).toMatch(/^title_and_abstract\.search:\(peer OR peers OR "peer led" OR "peer delivered" OR /);
    // truncated phrases become their words ANDed with the last one a wildcard; single words keep `*`
    expect(search).toContain(' OR (peer AND support*) OR ');
    expect(search).toContain(' OR (drug AND user AND organi*) OR ');
    expect(search).toContain(') AND (overdos* OR (drug AND related AND death*) OR ');
    expect(search).toContain(' OR "supervised consumption" OR ');
    expect(search).toMatch(/ OR \(fentanyl AND test AND strip\*\)\)$/);
    // MeSH is not sent; nothing breaks the filter syntax
    expect(q).not.toMatch(/mesh|Peer Group|Naloxone"/i);
    expect(search!.split(':').length).toBe(2);
    expect(q).not.toContain('|');
    // stays well under OpenAlex's ~4 KB URL limit once encoded
    expect(encodeURIComponent(q).length).toBeLessThan(2500);
  });

  it('scopes title, tiab and all terms; a block mixing scopes takes its widest', () => {
    expect(
      compileOpenAlex(strategy([
        { name: 'a', terms: [{ text: 'naloxone', field: 'title' }], mesh: [] },
        { name: 'b', terms: [{ text: 'peer', field: 'tiab' }, { text: 'Peer-Led', field: 'title' }], mesh: [] },
        { name: 'c', terms: [{ text: 'harm', field: 'tiab' }, { text: 'overdose, fatal', field: 'all' }], mesh: [] },
        { name: 'd', terms: [{ text: 'kit*', field: 'tiab' }], mesh: ['Naloxone'] },
      ])),
    ).toBe('title.search:(naloxone),title_and_abstract.search:(peer OR "peer led") AND (kit*),default.search:(harm OR "overdose fatal")');
  });

  it('lower-cases terms so a word such as OR or NOT cannot become an operator', () => {
    expect(compileOpenAlex(strategy([{ name: 'x', terms: [{ text: 'NOT OR', field: 'tiab' }], mesh: [] }]))).toBe('title_and_abstract.search:("not or")');
  });

  it('maps several languages to ISO codes ORed in one filter, and refuses one it cannot map', () => {
    const blocks = [{ name: 'x', terms: [{ text: 'peer', field: 'tiab' as const }], mesh: [] }];
    expect(compileOpenAlex(strategy(blocks, ['english', 'French', 'eng']))).toBe('title_and_abstract.search:(peer),language:en|fr');
    expect(() => compileOpenAlex(strategy(blocks, ['klingon']))).toThrow(ConfigError);
  });

  it('refuses a block of MeSH headings only, which OpenAlex cannot search', () => {
    expect(() => compileOpenAlex(strategy([{ name: 'm', terms: [], mesh: ['Naloxone'] }]))).toThrow(/only MeSH headings/);
  });
});

describe('compileOpenAlex publication years', () => {
  it('adds publication-date filters for the ends the protocol gives', () => {
    const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'tiab' as const }], mesh: [] }];
    const limits = (years: { from?: number; to?: number }) => compileOpenAlex({ ...strategy(blocks, ['english']), limits: { languages: ['english'], years } });
    expect(limits({ from: 2010, to: 2024 })).toBe('title_and_abstract.search:(taper*),language:en,from_publication_date:2010-01-01,to_publication_date:2024-12-31');
    expect(limits({ from: 2010 })).toBe('title_and_abstract.search:(taper*),language:en,from_publication_date:2010-01-01');
  });
});

describe('compileOpenAlex NOT', () => {
  it('does not send not blocks, which stemmed would leave out more: the local check applies them', () => {
    const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'tiab' as const }], mesh: [] }];
    const not = [{ name: 'cancer', terms: [{ text: 'cancer', field: 'tiab' as const }], mesh: [] }];
    expect(compileOpenAlex({ ...strategy(blocks), not })).toBe(compileOpenAlex(strategy(blocks)));
  });
});

describe('compileOpenAlex publication types', () => {
  it('sends a block\'s terms without its publication types, which no filter can OR with a search; refuses a block of types only', () => {
    const terms = [{ text: 'randomized', field: 'tiab' as const }];
    expect(compileOpenAlex(strategy([{ name: 'd', terms, mesh: [], publicationTypes: ['Review'] }]))).toBe(compileOpenAlex(strategy([{ name: 'd', terms, mesh: [] }])));
    expect(() => compileOpenAlex(strategy([{ name: 'd', terms: [], mesh: [], publicationTypes: ['Review'] }]))).toThrow('strategy block "d" has only publication types, which OpenAlex cannot search');
  });
});

describe('compileOpenAlex NOT publication types', () => {
  const blocks = [{ name: 'x', terms: [{ text: 'taper*', field: 'tiab' as const }], mesh: [] }];
  it('sends a type to leave out as a negated type filter where OpenAlex has one, each once', () => {
    const not = [
      { name: 'opinion', terms: [], mesh: [], publicationTypes: ['Editorial', 'Comment', 'Letter'] },
      { name: 'more', terms: [{ text: 'cancer', field: 'tiab' as const }], mesh: [], publicationTypes: ['editorial'] },
    ];
    expect(compileOpenAlex({ ...strategy(blocks), not })).toBe('title_and_abstract.search:(taper*),type:!editorial,type:!letter');
  });

  it('sends none of a not block with unless, which may keep a record of that type', () => {
    const not = [{ name: 'opinion', terms: [], mesh: [], publicationTypes: ['Letter'], unless: { terms: [{ text: 'trial', field: 'tiab' as const }], mesh: [] } }];
    expect(compileOpenAlex({ ...strategy(blocks), not })).toBe(compileOpenAlex(strategy(blocks)));
  });
});
