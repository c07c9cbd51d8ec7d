// File bytes to text. Exports come as UTF-8 (with or without a BOM), UTF-16 (EndNote on Windows) or
// windows-1252 (Excel "CSV"), and sometimes as UTF-8 with a few stray windows-1252 bytes pasted in.

// Spelled out: Node 20's TextDecoder('windows-1252') decodes as latin-1, so Excel's curly quotes,
// dashes and "€" (0x80-0x9F) came out as control characters.
const HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';
const WINDOWS_1252 = Array.from({ length: 256 }, (_, i) => (i >= 0x80 && i < 0xa0 ? HIGH[i - 0x80]! : String.fromCharCode(i)));

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function utf8Length(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * UTF-8 where the bytes are well-formed, each other byte as windows-1252. A windows-1252 file comes out
 * whole (its accented letters are never well-formed UTF-8 in real text), and a UTF-8 file with one
 * stray byte loses only that character's reading, not every "ü" in the file.
 */
function decodeMixed(bytes: Uint8Array): string {
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  const parts: string[] = [];
  let run = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = utf8Length(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (run < i) parts.push(utf8.decode(bytes.subarray(run, i)));
    parts.push(WINDOWS_1252[bytes[i]!]!);
    run = ++i;
  }
  if (run < bytes.length) parts.push(utf8.decode(bytes.subarray(run)));
  return parts.join('');
}

/** Decodes file bytes: UTF-16 by its BOM, else UTF-8 with a per-byte windows-1252 fallback; any BOM removed. */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  // The BOM goes before deciding: Excel writes one on windows-1252 text too.
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return decodeMixed(body);
  }
}
