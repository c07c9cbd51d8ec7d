import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../../src/imports/readers/decode.js';
import { readRecordFile } from '../../src/imports/readers/index.js';
import { packageRoot } from '../../src/paths.js';

const fixture = (name: string) => join(packageRoot, 'test/fixtures/import-readers', name);

describe('decodeText', () => {
  it('reads UTF-8 with and without a BOM', () => {
    expect(decodeText(Buffer.from('\uFEFFTitle,Müller', 'utf8'))).toBe('Title,Müller');
    expect(decodeText(Buffer.from('Title,Müller', 'utf8'))).toBe('Title,Müller');
  });

  it('reads windows-1252, including the 0x80-0x9F range Node 20 decodes as latin-1', () => {
    expect(decodeText(Uint8Array.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x20, 0x96, 0x20, 0x93, 0x80, 0x94]))).toBe('Müller – “€”');
  });

  it('reads UTF-16 LE and BE by their BOM', () => {
    const text = 'TY  - JOUR\r\nAU  - Müller, Jürgen\r\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(decodeText(le)).toBe(text);
    expect(decodeText(be)).toBe(text);
  });

  it('keeps the UTF-8 of a file with one stray windows-1252 byte, reading only that byte as windows-1252', async () => {
    const [r] = await readRecordFile(fixture('utf8-stray-byte.ris'), { source: 's' });
    expect(r).toMatchObject({ title: 'Peers and police\u00A0in Berlin', authors: [{ family: 'Müller', given: 'Jürgen' }] });
  });

  it('strips a UTF-8 BOM from a windows-1252 file before decoding, so its first header survives', async () => {
    const [r] = await readRecordFile(fixture('excel-1252-bom.csv'), { source: 's' });
    expect(r).toMatchObject({ title: 'Prävention von Überdosen – “Peers”', year: 2021, authors: [{ family: 'Müller', initials: 'J' }] });
  });
});
