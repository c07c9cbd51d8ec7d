// Crossref abstracts are JATS: one labelled section per <jats:sec>.
import type { AbstractSection } from '../../records/types.js';
import { plainText } from '../markup.js';

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
