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
