import { describe, expect, it } from 'vitest';
import { readMedline } from '../../src/imports/readers/medline.js';

const read = (text: string) => readMedline(text, { source: 'test' });

describe('MEDLINE/nbib records', () => {
  it('reads a chapter (TI and BTI) as a book-chapter with the book as its container, as PubMed XML does', () => {
    const [r] = read('PMID- 30000001\r\nDP  - 2023 Jan\r\nTI  - Naloxone.\r\nBTI - StatPearls\r\nFAU - Jordan, Mark R\r\nAU  - Jordan MR\r\n\r\n');
    expect(r).toMatchObject({ title: 'Naloxone.', journal: 'StatPearls', kind: 'book-chapter', year: 2023 });
  });

  it('reads a whole book (BTI only) as a book titled by BTI', () => {
    const [r] = read('PMID- 30000002\nBTI - Naloxone: A Guide for Peers\nCTI - StatPearls\n\n');
    expect(r).toMatchObject({ title: 'Naloxone: A Guide for Peers', kind: 'book' });
    expect(r!.journal).toBeUndefined();
  });

  it('stores ISSNs without their (Electronic), (Print) or (Linking) note, each once', () => {
    const [r] = read('PMID- 33465621\nIS  - 1873-4758 (Electronic)\nIS  - 0955-3959 (Print)\nIS  - 0955-3959 (Linking)\nTI  - X\n\n');
    expect(r!.issn).toEqual(['1873-4758', '0955-3959']);
  });
});
