import { ConfigError } from '../../errors.js';
import type { SearchStrategy, TextTerm } from '../types.js';

/**
 * Field names as Europe PMC's /fields endpoint lists them. `all` stays unfielded: Europe PMC then
 * searches every field, full text included. MeSH headings go to KW: MESH is not a listed field,
 * and KW covers MeSH headings as well as author keywords (broader, never narrower).
 */
const FIELD: Record<TextTerm['field'], string | undefined> = { tiab: 'TITLE_ABS', title: 'TITLE', all: undefined };
const MESH_FIELD = 'KW';

/**
 * PubMed's language names to the MEDLINE (ISO 639-2/B) codes Europe PMC indexes in LANG, as its
 * records carry them (`"language": "eng"`).
 */
const LANGUAGE_CODES: Record<string, string> = {
  afrikaans: 'afr', albanian: 'alb', arabic: 'ara', armenian: 'arm', bosnian: 'bos', bulgarian: 'bul',
  catalan: 'cat', chinese: 'chi', croatian: 'hrv', czech: 'cze', danish: 'dan', dutch: 'dut',
  english: 'eng', esperanto: 'epo', estonian: 'est', finnish: 'fin', french: 'fre', georgian: 'geo',
  german: 'ger', greek: 'gre', hebrew: 'heb', hindi: 'hin', hungarian: 'hun', icelandic: 'ice',
  indonesian: 'ind', italian: 'ita', japanese: 'jpn', korean: 'kor', latin: 'lat', latvian: 'lav',
  lithuanian: 'lit', macedonian: 'mac', malay: 'may', norwegian: 'nor', persian: 'per', polish: 'pol',
  portuguese: 'por', romanian: 'rum', russian: 'rus', serbian: 'srp', slovak: 'slo', slovenian: 'slv',
  spanish: 'spa', swedish: 'swe', thai: 'tha', turkish: 'tur', ukrainian: 'ukr', vietnamese: 'vie',
};

/** A strategy language (a PubMed name, or already a three-letter code) as a LANG value. */
export function europePmcLanguage(language: string): string {
  const l = language.trim().toLowerCase();
  const code = LANGUAGE_CODES[l] ?? (/^[a-z]{3}$/.test(l) ? l : undefined);
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

/** Compiles a strategy to a Europe PMC query: (block) AND (block) AND LANG:eng. */
export function compileEuropePmc(strategy: SearchStrategy): string {
  const parts = strategy.blocks.map(
    (b) => `(${[...b.terms.map(term), ...b.mesh.map((m) => `${MESH_FIELD}:${value(m)}`)].join(' OR ')})`,
  );
  const langs = [...new Set(strategy.limits.languages.map(europePmcLanguage))].map((c) => `LANG:${c}`);
  if (langs.length > 1) parts.push(`(${langs.join(' OR ')})`);
  else if (langs.length === 1) parts.push(langs[0]!);
  return parts.join(' AND ');
}
