import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsv } from '../../src/imports/readers/csv.js';
import { readRecordFile } from '../../src/imports/readers/index.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => readRecordFile(join(packageRoot, 'test/fixtures/import-readers', name), { source: 's' });
const read = (text: string) => readCsv(text, { source: 's' });

describe('CSV journal column', () => {
  it('takes Scopus "Source title", not "Source" (the database name)', async () => {
    const [a, b] = await fixture('scopus.csv');
    expect([a!.journal, b!.journal]).toEqual(['Journal of Substance Abuse Treatment', 'International Journal of Drug Policy']);
  });

  it('takes the most specific header present, and "source" only when nothing else names the journal', () => {
    expect(read('title,source,secondary title\nT,Embase,Addiction\n')[0]!.journal).toBe('Addiction');
    expect(read('title,publication title,source\nT,Addiction,Scopus\n')[0]!.journal).toBe('Addiction');
    expect(read('title,source\nT,Addiction\n')[0]!.journal).toBe('Addiction');
  });
});
