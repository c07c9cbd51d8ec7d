import type { Author } from '../../records/types.js';
import { parseAuthorName } from '../../dedup/normalize.js';

/** "Name," with nothing after the comma is how RIS writers (this project's too) and EndNote keep a group author whole. */
export function authorOrGroup(raw: string): Author {
  return /^[^,]+,\s*$/.test(raw) ? { family: raw.replace(/,\s*$/, '').trim(), collective: true } : toAuthor(raw);
}

/** The DOI `re` captures in `text`, without the punctuation that ends the sentence around it. */
export function doiMatch(re: RegExp, text: string): string | undefined {
  return re.exec(text.trim())?.[1]?.replace(/[.,;)\]]+$/, '');
}

/** Cells holding "a; b" lists, as one list of their items, each once. */
export function listItems(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.flatMap((v) => v?.split(';') ?? []).map((v) => v.trim()).filter(Boolean))];
}

/** One display author from "Zuna, R E", "Zuna RE" or "Rosemary E. Zuna". */
export function toAuthor(raw: string): Author {
  const p = parseAuthorName(raw);
  if (p.collective) return { family: p.family, collective: true };
  return { family: p.family, ...(p.initials ? { initials: p.initials } : {}), ...(p.given ? { given: p.given } : {}) };
}

// Vancouver style, initials with or without full stops: "Smith J, Jones KL", "Watson D.P., Brucker K.".
const VANCOUVER = /^[^,]+\s(?:[A-Z]{1,3}|(?:[A-Z]\.-?){1,4})(?:,\s*[^,]+\s(?:[A-Z]{1,3}|(?:[A-Z]\.-?){1,4}))+\.?$/;

/** Splits an author list written as BibTeX or Rayyan ("A and B"), with semicolons, or Vancouver style. */
export function splitAuthors(raw: string | undefined): Author[] {
  const s = raw?.trim();
  if (!s) return [];
  let parts: string[];
  if (s.includes(';')) parts = s.split(';');
  else if (/\sand\s/.test(s)) parts = s.split(/\s+and\s+/);
  // PubMed's CSV ends the list with a full stop: "Haddad S, Nguyen TL." ("TL." is no initials).
  else if (VANCOUVER.test(s)) parts = s.replace(/(\s[A-Z]{2,3})\.$/, '$1').split(',');
  else parts = [s];
  return parts.map((p) => p.trim()).filter(Boolean).map(toAuthor);
}

/** Splits an ISBN/ISSN cell into ISSNs and an ISBN. */
export function splitIsbnIssn(raw: string | undefined): { issn?: string[]; isbn?: string } {
  if (!raw) return {};
  const issn = [...new Set([...raw.matchAll(/\b\d{4}-?\d{3}[\dXx]\b/g)].map((m) => m[0]))];
  const isbn = /\b(?:97[89][-\s]?)?(?:\d[-\s]?){9}[\dXx]\b/.exec(raw)?.[0];
  return { ...(issn.length ? { issn } : {}), ...(isbn && !issn.includes(isbn) ? { isbn } : {}) };
}

export function yearOf(raw: string | undefined): number | undefined {
  const m = raw ? /\b(1[5-9]\d\d|20\d\d)\b/.exec(raw) : null;
  return m ? Number(m[1]) : undefined;
}
