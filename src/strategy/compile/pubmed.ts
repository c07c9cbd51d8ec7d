import { type Alternatives, type NotBlock, OPEN_YEARS, type SearchStrategy, type TextTerm } from '../types.js';
import { pubmedName } from '../languages.js';

const FIELD_TAG: Record<TextTerm['field'], string> = { tiab: 'tiab', title: 'ti', all: 'all' };

function quoteTerm(text: string): string {
  // PubMed parses an unquoted multi-word or hyphenated term through automatic term mapping;
  // quoting keeps it a phrase. A bare word with truncation stays bare (overdos*[tiab]).
  return /^[\p{L}\p{N}]+\*?$/u.test(text) ? text : `"${text.replaceAll('"', '')}"`;
}

function alternatives(block: Alternatives): string[] {
  const alone = new Set(block.noExplode);
  return [
    ...block.terms.map((t) => `${quoteTerm(t.text)}[${FIELD_TAG[t.field]}]`),
    ...block.mesh.map((m) => `"${m}"[${alone.has(m) ? 'Mesh:NoExp' : 'Mesh'}]`),
    ...(block.publicationTypes ?? []).map((t) => `"${t}"[pt]`),
  ];
}

const group = (alts: string[]) => (alts.length === 1 ? alts[0]! : `(${alts.join(' OR ')})`);

/** A not block's alternatives; with `unless`, the one ("Animals"[Mesh] NOT "Humans"[Mesh]). */
function leftOut(block: NotBlock): string[] {
  return block.unless ? [`(${group(alternatives(block))} NOT ${group(alternatives(block.unless))})`] : alternatives(block);
}

/**
 * Compiles a strategy to a PubMed query: (block) AND (block) AND english[la] AND 2000:3000[dp],
 * with not blocks ((...) NOT (excluded)): bracketed, so no reading of precedence can change it.
 */
export function compilePubmed(strategy: SearchStrategy): string {
  const blocks = strategy.blocks.map((block) => `(${alternatives(block).join(' OR ')})`);
  // The protocol may give a MEDLINE code (ger); PubMed is sent the name it indexes (german).
  const langs = [...new Set(strategy.limits.languages.map((l) => `${pubmedName(l) ?? l.trim()}[la]`))];
  if (langs.length > 1) blocks.push(`(${langs.join(' OR ')})`);
  else if (langs.length === 1) blocks.push(langs[0]!);
  const years = strategy.limits.years;
  if (years) blocks.push(`${years.from ?? OPEN_YEARS.from}:${years.to ?? OPEN_YEARS.to}[dp]`);
  const not = (strategy.not ?? []).flatMap(leftOut);
  return not.length > 0 ? `(${blocks.join(' AND ')}) NOT (${not.join(' OR ')})` : blocks.join(' AND ');
}
