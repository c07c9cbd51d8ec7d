// Crossref strings carry markup: JATS in abstracts (<jats:p>, <jats:sec>, <jats:italic>), HTML in
// titles (<i>, <sub>, <scp>) and escaped entities. These turn them into plain display text.
import type { AbstractSection } from '../../records/types.js';
import { squash } from '../text.js';

const TAG = /<(\/?)([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)\b[^>]*>/g;
/** Structure: always a word boundary. */
const BLOCK = new Set(['p', 'title', 'sec', 'list', 'list-item', 'label', 'caption', 'break', 'br', 'div', 'abstract', 'trans-abstract']);
/** Inside a word: H<sub>2</sub>O. */
const GLUE = new Set(['sub', 'sup']);

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Markup removed, entities decoded, whitespace squashed. An inline tag between two letters
 * becomes a space: some deposits glue formatted words to their neighbours
 * ("targeting<jats:italic>SMARCB1</jats:italic>for").
 */
export function plainText(markup: string): string {
  let out = '';
  let last = 0;
  for (const m of markup.matchAll(TAG)) {
    out += markup.slice(last, m.index);
    last = m.index + m[0].length;
    const name = m[3]!.toLowerCase();
    if (GLUE.has(name)) continue;
    const next = markup.slice(last).replace(/^(?:<[^>]*>)+/, '').charAt(0);
    if (BLOCK.has(name) || (WORD_CHAR.test(out.slice(-1)) && WORD_CHAR.test(next))) out += ' ';
  }
  return squash(decodeEntities(out + markup.slice(last)));
}

const SEC = /<(?:[\w-]+:)?sec\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?sec>/g;
const TITLE = /<(?:[\w-]+:)?title\b[^>]*>([\s\S]*?)<\/(?:[\w-]+:)?title>/;
/** A heading that only says "this is the abstract" is not a section label. */
const GENERIC_HEADING = /^(abstract|summary|graphical abstract|a b s t r a c t)[.:]?$/i;

function section(inner: string): AbstractSection | undefined {
  const heading = TITLE.exec(inner);
  const label = heading ? plainText(heading[1]!) : '';
  const text = plainText(heading ? inner.replace(TITLE, ' ') : inner);
  // Placeholders such as "<jats:p>-</jats:p>" are no abstract.
  if (!/[\p{L}\p{N}]/u.test(text)) return undefined;
  return label && !GENERIC_HEADING.test(label) ? { label, text } : { text };
}

/** A JATS abstract as sections: one per <jats:sec>, or one unlabelled section. */
export function jatsSections(jats: string): AbstractSection[] {
  const secs = [...jats.matchAll(SEC)];
  const parts = secs.length > 0 ? secs.map((m) => section(m[1]!)) : [section(jats)];
  return parts.filter((s): s is AbstractSection => s !== undefined);
}
