import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDedupe } from '../../src/dedup/command.js';
import { oneLine } from '../../src/errors.js';
import { decodeText } from '../../src/imports/readers/decode.js';
import { checkReadable, readRecords } from '../../src/imports/readers/index.js';

/** Deterministic noise: what a PDF stream or a zip looks like to a text reader. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
}

const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;

describe('readRecords on files that are not exports', () => {
  it.each(['x.csv', 'x.ris', 'x.dat', 'x.nbib'])('refuses binary input (%s) without echoing its bytes', (name) => {
    let message = '';
    try {
      readRecords(name, decodeText(noise(5000)), { source: 's' });
    } catch (err) {
      message = oneLine(err);
    }
    expect(message).toBe(`${name}: a binary file (a PDF, a zip, a database?), not a text export in RIS, MEDLINE/nbib, PubMed XML, EndNote XML, Web of Science or CSV`);
  });

  it('refuses a PDF by its signature even when its first objects are text', () => {
    expect(() => readRecords('paper.pdf', '%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', { source: 's' })).toThrow('paper.pdf: a binary file');
  });

  it('lists a garbage CSV header short and printable', () => {
    // Too few control characters to call it binary, but not a header either.
    const header = `\u0001${'ab\u00ff\u0085'.repeat(100)}\u0002,x`;
    let message = '';
    try {
      readRecords('x.csv', `${header}\n1,2\n`, { source: 's' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^x\.csv: not readable as CSV: no title, doi or pmid column in the header \(columns: /);
    expect(message).not.toMatch(CONTROLS);
    expect(message.length).toBeLessThan(320);
  });

  it('names the RIS tags in its hint in a form that survives oneLine', () => {
    expect(() => readRecords('x.ris', 'Search results\n', { source: 's' })).toThrow();
    try {
      readRecords('x.ris', 'Search results\n', { source: 's' });
    } catch (err) {
      expect(oneLine(err)).toBe('x.ris: no records found in it as RIS (records from a TY tag to an ER tag)');
    }
  });
});

describe('checkReadable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lr-readable-'));
  const good = join(dir, 'good.ris');
  writeFileSync(good, 'TY  - JOUR\nTI  - One\nER  - \n');

  it('names a missing file or a directory among the paths', async () => {
    await expect(checkReadable([good])).resolves.toBeUndefined();
    await expect(checkReadable([good, join(dir, 'missing.ris')])).rejects.toThrow(`cannot read ${join(dir, 'missing.ris')}: ENOENT`);
    await expect(checkReadable([dir])).rejects.toThrow(`cannot read ${dir}: it is a directory`);
  });

  it('dedupe names a missing second file before reading the first', async () => {
    // The first file would fail if read: the error must be the second's.
    const bad = join(dir, 'bad.ris');
    writeFileSync(bad, 'TY  - JOUR\nTI  - cut short');
    await expect(runDedupe([bad, join(dir, 'missing.ris')], {})).rejects.toThrow(`cannot read ${join(dir, 'missing.ris')}`);
    await expect(runDedupe([good], { truth: join(dir, 'missing-truth.csv') })).rejects.toThrow(`cannot read ${join(dir, 'missing-truth.csv')}`);
  });
});
