import { ConfigError } from '../../errors.js';
import { type Alternatives, type NotBlock, OPEN_YEARS, type SearchStrategy, type TextTerm } from '../types.js';
import { medlineCode } from '../languages.js';
import { meshDescriptor } from '../evaluate.js';

/**
 * Field names as Europe PMC's /fields endpoint lists them. `all` stays unfielded: Europe PMC then
 * searches every field, full text included. MeSH headings go to KW: MESH is not a listed field,
 * and KW covers MeSH headings as well as author keywords (broader, never narrower). KW holds
 * descriptors without their qualifiers, so "Opioid-Related Disorders/prevention and control" is
 * sent as its descriptor, as the local evaluator reads it: quoted whole it would match nothing.
 */
const FIELD: Record<TextTerm['field'], string | undefined> = { tiab: 'TITLE_ABS', title: 'TITLE', all: undefined };
const MESH_FIELD = 'KW';
/** Publication types as the record's pubTypeList gives them: PubMed's names for MEDLINE records. */
const TYPE_FIELD = 'PUB_TYPE';

/** A strategy language (a PubMed name, or already a three-letter code) as a LANG value. */
export function europePmcLanguage(language: string): string {
  const l = language.trim().toLowerCase();
  const code = medlineCode(l) ?? (/^[a-z]{3}$/.test(l) ? l : undefined);
  if (!code) throw new ConfigError(`strategy.limits.languages: no Europe PMC LANG code for "${language}"`);
  return code;
}

function value(text: string): string {
  // A bare word (optionally truncated) stays bare; anything else is a quoted phrase, so hyphens and
  // spaces do not split it into separate ANDed words. Upper-case AND/OR/NOT would be operators.
  const t = text.trim();
  const bare = /^[\p{L}\p{N}]+\*?$/u.test(t) && !/^(AND|OR|NOT|TO)$/.test(t);
  return bare ? t : `"${t.replace(/["\\]/g, '')}"`;
}

function term(t: TextTerm): string {
  const field = FIELD[t.field];
  return field ? `${field}:${value(t.text)}` : value(t.text);
}

/**
 * An `all` term to leave out is sent as the fields PubMed's [all] and the local check read,
 * not unfielded: a word anywhere in a full text would drop records the other sources keep.
 */
function notTerm(t: TextTerm): string {
  return t.field === 'all' ? `${FIELD.tiab}:${value(t.text)} OR ${MESH_FIELD}:${value(t.text)}` : term(t);
}

function alternatives(b: Alternatives, render: (t: TextTerm) => string = term): string[] {
  return [
    ...b.terms.map(render),
    ...b.mesh.map((m) => `${MESH_FIELD}:${value(meshDescriptor(m))}`),
    ...(b.publicationTypes ?? []).map((t) => `${TYPE_FIELD}:${value(t)}`),
  ];
}

// notTerm may give one alternative as two ORed: bracketed too, or NOT would bind to its second.
const group = (alts: string[]) => (alts.length === 1 && !alts[0]!.includes(' OR ') ? alts[0]! : `(${alts.join(' OR ')})`);

/** A not block's alternatives; with `unless`, the one (KW:Animals NOT KW:Humans). */
function leftOut(b: NotBlock): string[] {
  const alts = alternatives(b, notTerm);
  return b.unless ? [`(${group(alts)} NOT ${group(alternatives(b.unless, notTerm))})`] : alts;
}

/** Compiles a strategy to a Europe PMC query: (block) AND (block) AND LANG:eng, or ((...) NOT (excluded)). */
export function compileEuropePmc(strategy: SearchStrategy): string {
  const parts = strategy.blocks.map((b) => `(${alternatives(b).join(' OR ')})`);
  const langs = [...new Set(strategy.limits.languages.map(europePmcLanguage))].map((c) => `LANG:${c}`);
  if (langs.length > 1) parts.push(`(${langs.join(' OR ')})`);
  else if (langs.length === 1) parts.push(langs[0]!);
  const years = strategy.limits.years;
  if (years) parts.push(`PUB_YEAR:[${years.from ?? OPEN_YEARS.from} TO ${years.to ?? OPEN_YEARS.to}]`);
  // bracketed, so the NOT leaves out of all of them whatever precedence the parser gives NOT
  const not = (strategy.not ?? []).flatMap(leftOut);
  return not.length > 0 ? `(${parts.join(' AND ')}) NOT (${not.join(' OR ')})` : parts.join(' AND ');
}
