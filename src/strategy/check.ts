// What a protocol's term and heading texts may hold. Each compiler renders a term its own way, so
// text that one API would read as syntax (quotes, field tags, operators) would make the sources
// search different things: such text is refused when the protocol is loaded, not sent.
import { meshDescriptor, words } from './evaluate.js';

const OPERATORS = new Set(['and', 'or', 'not']);

/** Why a term's text cannot be compiled the same way for every source, or undefined. */
export function termProblem(text: string): string | undefined {
  if (text.includes('"')) return 'write a phrase without quotes: a term of several words is searched as a phrase';
  if (/[[\]]/.test(text)) return 'field tags such as [tiab] go in `field`, not in the term';
  // Europe PMC would read `?` as a one-letter wildcard, PubMed and the local check as a space.
  if (text.includes('?')) return '`?` is no wildcard here: write each spelling as its own term (woman, women)';
  const star = text.indexOf('*');
  if (star !== -1 && star !== text.trimEnd().length - 1) return '`*` truncates only at the end of a term';
  const w = words(text.replace(/\*\s*$/, ''));
  if (w.length === 0) return 'a term needs at least one word';
  if (star !== -1 && !/[\p{L}\p{N}]\*\s*$/u.test(text)) return '`*` must follow the letters it truncates, as in overdos*';
  // PubMed expands a wildcard only after 4 characters (NLM Tech Bull 2024;458:e5); the local
  // check would expand rat* to rating and rationale while PubMed did not.
  if (star !== -1 && text.slice(0, star).trim().length < 4) return 'PubMed truncates only after at least 4 characters: write the words in full (rat, rats)';
  if (w.length === 1 && OPERATORS.has(text.trim().toLowerCase())) {
    return `a Boolean operator: blocks are already combined with AND and terms with OR`;
  }
  // Upper case, PubMed reads them as operators; elsewhere they would be searched as words of a phrase.
  const op = text.split(/\s+/).find((t) => OPERATORS.has(t.toLowerCase()) && t === t.toUpperCase());
  if (op) return `${op} inside a term: write each alternative as its own term (terms of a block are ORed)`;
  return undefined;
}

/** Why a MeSH heading's text is not a heading, or undefined. */
export function meshProblem(text: string): string | undefined {
  if (/:\s*noexp/i.test(text)) return 'write { heading: Drug Overdose, explode: false } for a heading without its narrower ones';
  if (/["[\]]/.test(text)) return 'write the heading alone, e.g. Drug Overdose: each source adds its own field tag';
  if (text.includes('*')) return 'MeSH headings cannot be truncated';
  if (words(text).length === 0) return 'a heading needs at least one word';
  if (words(meshDescriptor(text)).length === 0) return 'a qualifier needs its heading before it, e.g. Drug Overdose/prevention and control';
  return undefined;
}

/** Why a publication type's text is not one, or undefined. */
export function publicationTypeProblem(text: string): string | undefined {
  if (/["[\]]/.test(text)) return 'write the type alone, e.g. Randomized Controlled Trial: each source adds its own field tag';
  if (/[*/]/.test(text)) return 'a publication type is a name as PubMed gives it, e.g. Editorial, without `*` or `/`';
  if (words(text).length === 0) return 'a publication type needs at least one word';
  const op = text.split(/\s+/).find((t) => OPERATORS.has(t.toLowerCase()) && t === t.toUpperCase());
  if (op) return `${op} inside a type: write each type as its own entry (the types of a block are ORed)`;
  return undefined;
}
