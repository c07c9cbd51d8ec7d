// Small pure helpers the source parsers share to turn API text into display strings.

/** Collapses runs of whitespace (pretty-printed XML, line breaks inside text) and trims. */
export function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** ORCID as the bare 0000-0000-0000-000X form; undefined when it does not look like one. */
export function normaliseOrcid(raw: string): string | undefined {
  const compact = raw.replace(/[\s-]/g, '').replace(/^(https?:\/\/)?(www\.)?orcid\.org\//i, '');
  const m = /^(\d{4})(\d{4})(\d{4})(\d{3}[\dX])$/i.exec(compact);
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]!.toUpperCase()}` : undefined;
}

/** yyyy-mm-dd from Year/Month/Day strings; undefined if any part is not a number in range. */
export function isoDate(year: string, month: string, day: string): string | undefined {
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return undefined;
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > 31) return undefined;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * MEDLINE puts an English translation of a non-English title in square brackets
 * ("[A Broader Scope ...]."). The brackets mark the translation, they are not part of the title.
 */
export function unbracketTitle(title: string): string {
  const m = /^\[(.*)\](\.?)$/.exec(title);
  if (!m || !balancedBrackets(m[1]!)) return title; // "[11C]raclopride ... [18F]FDG" keeps its brackets
  return `${m[1]}${m[2]}`;
}

function balancedBrackets(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === '[') depth++;
    else if (ch === ']' && --depth < 0) return false;
  }
  return depth === 0;
}
