// API strings carry markup: HTML in titles and abstracts (<i>, <sub>, <scp>, <h4>), JATS in
// Crossref abstracts (<jats:p>, <jats:sec>) and escaped entities. This turns them into display text.
import { squash } from './text.js';

const TAG = /<(\/?)([A-Za-z][\w.-]*:)?([A-Za-z][\w.-]*)\b[^>]*>/g;
/** Structure: always a word boundary. */
const BLOCK = new Set([
  'p', 'title', 'sec', 'list', 'list-item', 'label', 'caption', 'break', 'br', 'div', 'abstract', 'trans-abstract',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'table', 'tr', 'td', 'th',
]);
/** Inside a word: H<sub>2</sub>O. */
const GLUE = new Set(['sub', 'sup']);

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', shy: '\u00ad' };

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
 * ("targeting<jats:italic>SMARCB1</jats:italic>for"). Markup that arrives escaped (Europe PMC's
 * titles: "m&lt;sup&gt;6&lt;/sup&gt;A") is removed once decoded; "&lt;5 mg" stays "<5 mg".
 */
export function plainText(markup: string): string {
  return squash(stripTags(decodeEntities(stripTags(markup))));
}

function stripTags(markup: string): string {
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
  return out + markup.slice(last);
}
