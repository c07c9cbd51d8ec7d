// Field normalisers: turn display strings into comparison keys. Every function is pure and returns
// undefined for "nothing usable", so a missing field never looks like a conflicting one.

const GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta',
  ι: 'iota', κ: 'kappa', λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', ο: 'omicron', π: 'pi', ρ: 'rho',
  σ: 'sigma', ς: 'sigma', τ: 'tau', υ: 'upsilon', φ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega',
};
const GREEK_RE = /[α-ω]/g;

/** Lower-case ASCII text: markup and entities removed, diacritics folded, Greek spelled out. */
export function foldText(raw: string): string {
  return raw
    .replace(/<[^>]{0,200}>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, ' ')
    .toLowerCase()
    .replace(GREEK_RE, (c) => ` ${GREEK[c] ?? c} `)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[æ]/g, 'ae')
    .replace(/[ø]/g, 'o');
}

/** Alphanumeric tokens of `foldText`; anything else (punctuation, non-Latin script) separates. */
export function tokens(raw: string): string[] {
  return foldText(raw).split(/[^a-z0-9]+/).filter(Boolean);
}

const DOI_PREFIX = /^(?:https?:\/\/)?(?:dx\.)?(?:doi\.org\/|doi:\s*|doi\s+)/i;

/** `10.xxxx/...` in lower case, or undefined when the input holds no DOI. */
export function normalizeDoi(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let s = raw.trim();
  try {
    if (/%[0-9a-f]{2}/i.test(s)) s = decodeURIComponent(s);
  } catch {
    // A stray "%" that is not an escape: keep the text as it is.
  }
  s = s.replace(DOI_PREFIX, '').replace(/\s*\[doi\]\s*$/i, '');
  const m = /10\.\d{4,9}\/\S+/.exec(s);
  if (!m) return undefined;
  // Trailing punctuation, and the "/" some landing-page links end with, is not part of the DOI.
  return m[0].replace(/[.,;:)\]}>'"/]+$/, '').toLowerCase();
}

export function normalizePmid(raw: string | undefined): string | undefined {
  const m = raw ? /(\d{1,9})\s*$/.exec(raw.trim()) : null;
  return m?.[1] ? String(Number(m[1])) : undefined;
}

export function normalizePmcid(raw: string | undefined): string | undefined {
  const m = raw ? /(?:pmc)?\s*(\d{3,9})\s*$/i.exec(raw.trim()) : null;
  return m?.[1] ? `PMC${Number(m[1])}` : undefined;
}

// "Erratum:", "RETRACTED:", ... : stripped before title comparison, kept as notice kind.
const NOTICE_PREFIX =
  /^\s*(?:\[?(erratum|errata|corrigendum|correction|retraction(?: notice)?|retracted(?: article)?|expression of concern|notice of retraction|withdrawn)\]?(?:\s+(?:to|for|of|on|notes?|notice to|regarding))?\s*(?:[:.\-–]\s*|(?=["“‘']))|\[?(retracted|withdrawn)\]?\s+)/i;
// A title that is only the notice ("Erratum", "MIS Quarterly ERRATA NOTES"): a notice whose title
// says nothing of the article it corrects.
const NOTICE_ONLY = /^(?:[^:]{0,40}\s)?(?:errata|erratum|corrigend(?:um|a))(?:\s+notes?)?\s*\.?\s*$/i;
const NOTICE_SUFFIX = /\s*\((?:retracted article|retracted)[^)]*\)\s*\.?\s*$/i;
// Web of Science titles a correction as the article's title plus "(vol 85, pg 553, 2010)".
const WOS_CORRECTION = /\s*\(\s*vol\.?\s*\d+[^()]*?\bpg\.?\s*[a-z]*\d+[^()]*\)\s*\.?\s*$/i;

export type NoticeKind = 'erratum' | 'retraction' | 'retracted' | 'expression-of-concern';

/** Splits a leading notice marker ("Erratum: ...") off a title. */
export function splitNoticePrefix(title: string): { notice?: NoticeKind; rest: string } {
  if (NOTICE_ONLY.test(title)) return { notice: 'erratum', rest: '' };
  let rest = title;
  let notice: NoticeKind | undefined;
  if (NOTICE_SUFFIX.test(rest)) {
    rest = rest.replace(NOTICE_SUFFIX, '');
    notice = 'retracted';
  } else if (WOS_CORRECTION.test(rest)) {
    rest = rest.replace(WOS_CORRECTION, '');
    notice = 'erratum';
  }
  const m = NOTICE_PREFIX.exec(rest);
  if (!m) return { notice, rest };
  const word = (m[1] ?? m[2] ?? '').toLowerCase();
  rest = rest.slice(m[0].length);
  if (word.startsWith('expression')) notice = 'expression-of-concern';
  else if (word === 'retracted' || word === 'retracted article' || word === 'withdrawn') notice = 'retracted';
  else if (word.startsWith('retraction') || word === 'notice of retraction') notice = 'retraction';
  else notice = 'erratum';
  return { notice, rest };
}

// A trailing "[Chinese]" / "(author's transl)" note, or a title given wholly in brackets, which
// MEDLINE uses for translated titles: "[A study on ...]".
const LANGUAGE_NOTE = /\s*[[(](?:in\s+)?[a-z]+(?:\s+(?:with\s+)?[a-z]+\s+abstract)?[\])]\s*\.?\s*$/i;
const LANGUAGES =
  /^(?:in\s+)?(?:english|chinese|german|french|spanish|italian|japanese|russian|portuguese|dutch|polish|czech|hungarian|korean|danish|swedish|norwegian|finnish|turkish|hebrew|greek|romanian|serbian|croatian|slovak|slovenian|ukrainian|persian|arabic|lithuanian|bulgarian|author's transl|authors transl)/i;

/** The comparable title: notice prefixes, language notes and translation brackets removed. */
// Database annotations: "[Review] [45 refs]", "(Provisional abstract)", "[Editorial]".
// Ovid/MEDLINE link notes: "[Erratum appears in ...]", "[Comment in: ...]", often cut off before "]".
const ANNOTATION =
  /\s*(?:\[(?:review|editorial|comment|letter|\d+\s+refs?)\]|\((?:provisional\s+)?abstract\)|\(structured abstract\)|\[(?:erratum|errata|comments?|retraction|update|republished|corrected)\s+(?:appears?|in|on)\b[^\]]*(?:\]|$))\.?/gi;

// Embase appends the original-language title: "[English title] <ORIGINAL> GERMAN TITLE".
const ORIGINAL_TITLE = /\s*<original>.*$/is;
// A journal's section label before the title: "SIM Competition Paper - X", "ICIS Paper - X".
const SECTION_LABEL = /^\s*(?:[a-z]+\s+){0,2}(?:paper\s+competition|(?:competition|award|prize|best)\s+paper|paper)\s*(?:\s[-–—]|:)\s+/i;
// Footnote marker that PDF extraction leaves after the title ("... the firm 1"), possibly followed
// by the first author's name ("... USERS 1 Ofir Turel"); not a numbered part ("part 1").
const NUMBERED = 'part|phase|stage|type|study|trial|version|volume|vol|no|issue|chapter|section|web|industry';
const FOOTNOTE_MARK = new RegExp(`(?<!\\b(?:${NUMBERED}))\\s+[1*†]\\s*$`, 'i');
// Only after an upper-case title, so that the name is told apart by its case.
const FOOTNOTE_AUTHOR = new RegExp(`(?<!\\b(?:${NUMBERED.toUpperCase()}))(?<=[A-Z?]) [1*†](?: [A-Z][a-z]+){2,3}\\s*$`);

// A PDF running header's issue line after the title: "Editor's Comments Volume 26 Iss.4".
const ISSUE_LINE = /\s+vol(?:ume)?\.?\s*\d+\s*,?\s*(?:iss(?:ue)?|no)\.?\s*\d+\s*$/i;

export function normalizeTitle(raw: string | undefined): string {
  if (!raw) return '';
  let s = splitNoticePrefix(raw).rest.replace(ORIGINAL_TITLE, '').replace(ISSUE_LINE, '').replace(ANNOTATION, '').replace(SECTION_LABEL, '').replace(FOOTNOTE_AUTHOR, '').replace(FOOTNOTE_MARK, '').trim();
  for (let i = 0; i < 2; i++) {
    const note = LANGUAGE_NOTE.exec(s);
    if (!note || !LANGUAGES.test(note[0].replace(/^[\s[(]+/, ''))) break;
    s = s.slice(0, note.index);
  }
  // "[Translated title]. Original title" → keep the bracketed (English) part.
  const bracketed = /^\s*\[([^\]]{8,})\]\s*\.?\s*(.*)$/.exec(s);
  if (bracketed?.[1]) s = bracketed[1];
  return tokens(s).join(' ');
}

export interface NormalizedAuthor {
  family: string;
  initials: string;
}

const ANONYMOUS = /^(?:anonymous|anon|\[anonymous\]|unknown|n\/?a|na)$/i;

/** Surname tokens joined without spaces ("van der berg" → "vanderberg") and initials. */
export function normalizeAuthor(family: string, initials = ''): NormalizedAuthor | undefined {
  const fam = tokens(family).join('');
  if (!fam || ANONYMOUS.test(family.trim())) return undefined;
  return { family: fam, initials: foldText(initials).replace(/[^a-z]/g, '') };
}

// Words that make a name without a comma a group's: "World Health Organization" has no surname.
const COLLECTIVE =
  /\b(?:organi[sz]ations?|groups?|collaborat(?:ion|ive)|consorti(?:um|a)|committee|association|society|institutes?|network|team|agency|ministry|department|council|foundation|cent(?:re|er)s?|university|investigators|trialists)\b/i;
// Initials written with full stops, as Scopus and Rayyan do: "D.P.", "K.", "J.-P.".
const DOTTED_INITIALS = /^(?:[A-Z]\.-?){1,4}$/;

/**
 * Parses one display name: "Zuna, R E", "Zuna RE" (MEDLINE AU), "Zuna R.E." (Scopus), "Rosemary E.
 * Zuna". A bare word is a surname; a name holding a word such as "Organization" or "Group" is a
 * collective author, kept whole, unless it is a one-word surname before a comma.
 */
export function parseAuthorName(raw: string): { family: string; initials: string; given?: string; collective?: true } {
  const s = raw.trim().replace(/\s+/g, ' ');
  const comma = s.indexOf(',');
  if (comma >= 0) {
    const [family, given] = [s.slice(0, comma).trim(), s.slice(comma + 1).trim()];
    // "World Health Organization, Regional Office for Europe" is a body and its office; "Center, John" a person.
    if (COLLECTIVE.test(given) || (COLLECTIVE.test(family) && family.includes(' '))) return { family: s, initials: '', collective: true };
    return { family, initials: initialsOf(given), given: given || undefined };
  }
  if (COLLECTIVE.test(s)) return { family: s, initials: '', collective: true };
  const parts = s.split(' ');
  const last = parts[parts.length - 1] ?? '';
  // MEDLINE short form: surname followed by up to 3 capital initials, or Scopus's dotted ones.
  if (parts.length > 1 && (/^[A-Z]{1,3}$/.test(last) || DOTTED_INITIALS.test(last))) {
    return { family: parts.slice(0, -1).join(' '), initials: initialsOf(last) };
  }
  if (parts.length === 1) return { family: s, initials: '' };
  const particle = /^(?:van|von|de|der|den|da|del|della|di|du|le|la|dos|das|ten|ter|al|el|bin)$/i;
  let start = parts.length - 1;
  while (start > 1 && particle.test(parts[start - 1] ?? '')) start--;
  const given = parts.slice(0, start).join(' ');
  return { family: parts.slice(start).join(' '), initials: initialsOf(given), given };
}

function initialsOf(given: string): string {
  const compact = given.replace(/[.\s-]/g, '');
  if (/^[A-Z]{1,4}$/.test(compact)) return compact;
  return given
    .split(/[\s.\-]+/)
    .filter(Boolean)
    .map((p) => p[0]?.toUpperCase() ?? '')
    .join('');
}

// "J" is the abbreviation of the stop word "journal": "J Infect Chemother" ~ "Journal of Infection and Chemotherapy".
const JOURNAL_STOP = new Set(['the', 'of', 'and', 'for', 'in', 'on', 'de', 'la', 'und', 'der', 'official', 'journal', 'j']);

/** Journal name as tokens without stop words and "&"; "J. Clin. Oncol." and "J Clin Oncol" agree. */
export function normalizeJournal(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  // "Zhonghua ... = Chinese journal of ..." and "Title: subtitle" keep the first part.
  const main = raw.split(/\s=\s/)[0] ?? raw;
  const t = tokens(main).filter((w) => !JOURNAL_STOP.has(w));
  return t.length ? t.join(' ') : undefined;
}

/** ISSNs as "12345678" (check digit X upper-case); accepts "0008-543X (Print) | 1097-0142". */
export function normalizeIssns(raw: string | string[] | undefined): string[] {
  const all = Array.isArray(raw) ? raw.join(' ') : (raw ?? '');
  const out = new Set<string>();
  for (const m of all.matchAll(/\b(\d{4})-?(\d{3}[\dxX])\b/g)) out.add(`${m[1]}${m[2]?.toUpperCase()}`);
  return [...out];
}

/** A plausible publication year from a number or any string holding one. */
export function normalizeYear(raw: number | string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /(1[5-9]\d\d|20\d\d)/.exec(String(raw));
  return m ? Number(m[1]) : undefined;
}

export interface PageRange {
  /** First page or e-locator without letter prefix: "S123" and "e123" give "123". */
  start: string;
  /** Last page expanded against the first: "1116-22" gives "1122"; undefined for a single page. */
  end?: string;
}

export function normalizePages(raw: string | undefined): PageRange | undefined {
  if (!raw) return undefined;
  const s = raw.trim().replace(/\s+/g, '');
  if (/^suppl/i.test(s)) return undefined; // "Suppl-48": the first page was lost
  const m = /^[a-z]*\.?0*(\d+)[a-z]?(?:[-–—]+[a-z]*0*(\d+)[a-z]?)?/i.exec(s);
  if (!m?.[1]) return undefined;
  const start = m[1];
  let end = m[2];
  if (end && end.length < start.length) end = start.slice(0, start.length - end.length) + end;
  return end && end !== start ? { start, end } : { start };
}

/** Volume/issue as a comparable token: leading zeros and surrounding text dropped. */
export function normalizeNumber(raw: string | number | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const m = /\d+/.exec(String(raw));
  return m ? String(Number(m[0])) : undefined;
}

/** An issue number, or undefined for values no journal issue has (export sequence numbers). */
export function normalizeIssue(raw: string | number | undefined): string | undefined {
  const n = normalizeNumber(raw);
  return n !== undefined && Number(n) <= 60 ? n : undefined;
}
