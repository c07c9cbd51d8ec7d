import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProtocol } from '../../src/config/protocol.js';
import { packageRoot } from '../../src/paths.js';
import { compileCrossref } from '../../src/strategy/compile/crossref.js';
import type { SearchStrategy } from '../../src/strategy/types.js';

const shipped = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));

describe('compileCrossref', () => {
  it('sends the distinct words of both blocks of the shipped protocol, in strategy order, without MeSH', () => {
    expect(compileCrossref(shipped.strategy)).toBe(
      'peer peers led delivered run based involved to support worker navigator recovery educat trainer helper advocate ' +
        'responder mentor coach lived experience living experiential user drug organi union ' +
        'overdos related death poisoning opioid toxicity naloxone narcan supervised consumption injection injecting safe ' +
        'safer room overdose prevention site checking fentanyl test strip',
    );
  });

  it('folds case and diacritics, splits hyphens, drops truncation marks and never repeats a word', () => {
    const strategy: SearchStrategy = {
      reconstructed: false,
      blocks: [
        { name: 'a', terms: [{ text: 'Naïve user*', field: 'tiab' }, { text: 'user-led', field: 'title' }], mesh: ['Peer Group'] },
        { name: 'b', terms: [{ text: 'NALOXONE', field: 'all' }], mesh: [] },
      ],
      limits: { languages: ['english'] },
    };
    expect(compileCrossref(strategy)).toBe('naive user led naloxone');
  });

  it('a block of MeSH headings only adds no words', () => {
    const strategy: SearchStrategy = {
      reconstructed: false,
      blocks: [{ name: 'mesh only', terms: [], mesh: ['Drug Overdose'] }, { name: 'b', terms: [{ text: 'peer', field: 'tiab' }], mesh: [] }],
      limits: { languages: [] },
    };
    expect(compileCrossref(strategy)).toBe('peer');
  });
});

describe('compileCrossref NOT', () => {
  it('sends no word of a not block, which would rank first the records the check leaves out', () => {
    const strategy: SearchStrategy = {
      reconstructed: false,
      blocks: [{ name: 'a', terms: [{ text: 'opioid taper*', field: 'tiab' }], mesh: [] }],
      not: [{ name: 'cancer', terms: [{ text: 'cancer pain', field: 'tiab' }], mesh: [] }],
      limits: { languages: [] },
    };
    expect(compileCrossref(strategy)).toBe('opioid taper');
  });
});

describe('compileCrossref publication types', () => {
  it('sends no publication type, which Crossref ranks as words: the check applies them', () => {
    const strategy: SearchStrategy = {
      reconstructed: false,
      blocks: [{ name: 'a', terms: [{ text: 'opioid taper*', field: 'tiab' }], mesh: [], publicationTypes: ['Randomized Controlled Trial'] }],
      not: [{ name: 'opinion', terms: [], mesh: [], publicationTypes: ['Editorial'], unless: { terms: [], mesh: ['Humans'] } }],
      limits: { languages: [] },
    };
    expect(compileCrossref(strategy)).toBe('opioid taper');
  });
});
