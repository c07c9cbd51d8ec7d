import { describe, expect, it } from 'vitest';
import { compilePubmed } from '../../src/strategy/compile/pubmed.js';
import type { SearchStrategy } from '../../src/strategy/types.js';

function strategy(over: Partial<SearchStrategy> = {}): SearchStrategy {
  return {
    reconstructed: false,
    blocks: [{ name: 'x', terms: [{ text: 'opioid*', field: 'tiab' }], mesh: ['Analgesics, Opioid'] }],
    limits: { languages: [] },
    ...over,
  };
}

describe('compilePubmed', () => {
  it('sends languages by the names PubMed indexes, whether the protocol gave names or MEDLINE codes, each once', () => {
    const q = compilePubmed(strategy({ limits: { languages: ['English', 'eng', 'ger', 'rum', 'hrv', 'slo'] } }));
    expect(q).toBe('(opioid*[tiab] OR "Analgesics, Opioid"[Mesh]) AND (english[la] OR german[la] OR romanian[la] OR croatian[la] OR slovak[la])');
  });
});

describe('compilePubmed publication years', () => {
  it('limits publication dates to the protocol years, an open end to a year no record reaches', () => {
    const years = (y: { from?: number; to?: number }) => compilePubmed(strategy({ limits: { languages: ['english'], years: y } }));
    expect(years({ from: 2010, to: 2024 })).toBe('(opioid*[tiab] OR "Analgesics, Opioid"[Mesh]) AND english[la] AND 2010:2024[dp]');
    expect(years({ from: 2010 }).endsWith(' AND 2010:3000[dp]')).toBe(true);
    expect(years({ to: 1999 }).endsWith(' AND 1000:1999[dp]')).toBe(true);
  });
});

describe('compilePubmed NOT', () => {
  it('leaves out the terms and headings of every not block from all the rest, limits included', () => {
    const q = compilePubmed(
      strategy({
        limits: { languages: ['english'], years: { from: 2010 } },
        not: [
          { name: 'cancer', terms: [{ text: 'cancer pain', field: 'tiab' }, { text: 'palliative', field: 'title' }], mesh: ['Neoplasms'] },
          { name: 'animals', terms: [], mesh: ['Animals'] },
        ],
      }),
    );
    expect(q).toBe('((opioid*[tiab] OR "Analgesics, Opioid"[Mesh]) AND english[la] AND 2010:3000[dp]) NOT ("cancer pain"[tiab] OR palliative[ti] OR "Neoplasms"[Mesh] OR "Animals"[Mesh])');
  });
});

describe('compilePubmed unexploded headings', () => {
  it('sends a heading the protocol does not explode as [Mesh:NoExp], the others as [Mesh]', () => {
    const q = compilePubmed(strategy({ blocks: [{ name: 'x', terms: [], mesh: ['Analgesics, Opioid', 'Morphine'], noExplode: ['Morphine'] }] }));
    expect(q).toBe('("Analgesics, Opioid"[Mesh] OR "Morphine"[Mesh:NoExp])');
  });
});

describe('compilePubmed publication types and unless', () => {
  it('sends a block\'s publication types as [pt] alternatives, and a not block\'s with the other exclusions', () => {
    const q = compilePubmed(
      strategy({
        blocks: [
          { name: 'x', terms: [{ text: 'opioid*', field: 'tiab' }], mesh: [] },
          { name: 'design', terms: [{ text: 'randomized', field: 'tiab' }], mesh: [], publicationTypes: ['Randomized Controlled Trial'] },
        ],
        not: [{ name: 'opinion', terms: [], mesh: [], publicationTypes: ['Editorial', 'Comment', 'Letter'] }],
      }),
    );
    expect(q).toBe('((opioid*[tiab]) AND (randomized[tiab] OR "Randomized Controlled Trial"[pt])) NOT ("Editorial"[pt] OR "Comment"[pt] OR "Letter"[pt])');
  });

  it('leaves out a not block with unless as (block NOT unless): the animal filter of the Cochrane Handbook', () => {
    const q = compilePubmed(
      strategy({
        not: [
          { name: 'cancer', terms: [{ text: 'cancer pain', field: 'tiab' }], mesh: [] },
          { name: 'animals', terms: [], mesh: ['Animals'], unless: { terms: [], mesh: ['Humans'] } },
          { name: 'rodents', terms: [{ text: 'rats', field: 'tiab' }, { text: 'mice', field: 'tiab' }], mesh: [], unless: { terms: [{ text: 'patients', field: 'tiab' }], mesh: ['Humans'] } },
        ],
      }),
    );
    expect(q).toBe(
      '((opioid*[tiab] OR "Analgesics, Opioid"[Mesh])) NOT ("cancer pain"[tiab] OR ("Animals"[Mesh] NOT "Humans"[Mesh]) OR ((rats[tiab] OR mice[tiab]) NOT (patients[tiab] OR "Humans"[Mesh])))',
    );
  });
});
