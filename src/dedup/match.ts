import type { NormalizedRecord } from './record.js';
import { abbreviates, containment, dice, trigrams, withinOneEdit } from './similarity.js';

export type Verdict = 'same' | 'different' | 'uncertain';

export interface PairDecision {
  verdict: Verdict;
  /** 0..1; higher is more alike. Orders merges and ranks the review list. */
  score: number;
  /** Which rule decided, e.g. "doi", "title+authors+locator", "pmid-conflict". */
  reason: string;
}

/** Reasons that mark two records as certainly distinct works; the cluster guard relies on them. */
export const IDENTIFIER_CONFLICTS = new Set(['pmid-conflict', 'pmcid-conflict', 'doi-conflict']);

// Thresholds, tuned on the training half of the labelled sets (see bench/dedup.bench.ts).
const T = {
  titleFloor: 0.7, // below this the titles are of different works
  titleSame: 0.93, // near-identical titles
  titleLoose: 0.85, // typos, subtitles, translations: needs locator agreement
  authorsOk: 0.5,
  authorsStrong: 0.8,
  doiTitle: 0.8, // a shared DOI merges only with titles at least this alike
  titlePinned: 0.3, // enough title when journal, volume, year, page range and authors all agree
} as const;

/** Trigram Dice between the shorter title and the same number of words at either end of the longer. */
const AFFIX_FUZZY = 0.9;
/** The same for a fragment anywhere in the longer title. */
const FRAGMENT_FUZZY = 0.8;

type Agreement = 'agree' | 'conflict' | 'unknown';

function cmp(a: string | undefined, b: string | undefined): Agreement {
  if (a === undefined || b === undefined) return 'unknown';
  return a === b ? 'agree' : 'conflict';
}

/** Title similarity 0..1: trigram Dice of the normalised titles. */
export function titleSimilarity(a: NormalizedRecord, b: NormalizedRecord): number {
  if (!a.title || !b.title) return 0;
  if (a.title === b.title) return 1;
  return dice(a.titleGrams, b.titleGrams);
}

/**
 * One title (3+ words) is the start or end of the other: a dropped subtitle ("X" / "X: how ...")
 * or a section label ("SIM paper competition - X"). Not enough on its own: a conference paper
 * and its extended journal version look the same way.
 */
function titleAffix(a: NormalizedRecord, b: NormalizedRecord): boolean {
  const [short, long] = a.title.length <= b.title.length ? [a, b] : [b, a];
  const n = short.title.split(' ').length;
  // Three words are often a column heading ("Editor's comments") that starts many titles.
  if (n < 4 || short.title === long.title) return false;
  if (long.title.startsWith(`${short.title} `) || long.title.endsWith(` ${short.title}`)) return true;
  // A typo in one of them ("Commerical", "Imlementations"): compare with the same number of words.
  // Most pairs share few trigrams; they are ruled out before building any new ones.
  if (dice(short.titleGrams, long.titleGrams) < 0.4) return false;
  const words = long.title.split(' ');
  if (words.length <= n) return false;
  const alike = (part: string[]) => dice(short.titleGrams, trigrams(part.join(' '))) >= AFFIX_FUZZY;
  return alike(words.slice(0, n)) || alike(words.slice(-n));
}

/**
 * The shorter title (2+ words, a footnote mark dropped) is a run of words somewhere in the longer,
 * allowing OCR slips: the part of a title that PDF extraction kept ("A longitudinal study 1").
 */
function titleFragment(a: NormalizedRecord, b: NormalizedRecord): boolean {
  const [short, long] = a.title.length <= b.title.length ? [a, b] : [b, a];
  const part = short.title.replace(/ \d$/, '');
  const n = part.split(' ').length;
  const words = long.title.split(' ');
  if (n < 2 || words.length <= n) return false;
  if (` ${long.title} `.includes(` ${part} `)) return true;
  // Most pairs share too few trigrams for any window to match: ruled out before building new ones.
  if (containment(short.titleGrams, long.titleGrams) < 0.6) return false;
  const grams = trigrams(part);
  for (let i = 0; i + n <= words.length; i++) {
    if (dice(grams, trigrams(words.slice(i, i + n).join(' '))) >= FRAGMENT_FUZZY) return true;
  }
  return false;
}

/**
 * One surname is the start or the end of the other: a truncated name, or a particle or first
 * surname lost in parsing ("de ven" / "van de ven", "da cunha" / "vieira da cunha").
 */
function sharesEnd(x: string, y: string): boolean {
  return x.startsWith(y) || y.startsWith(x) || x.endsWith(y) || y.endsWith(x);
}

/**
 * Share of the shorter author list (first 10) whose surname appears in the other; undefined if a
 * list is empty. A surname of 5+ letters one typo or OCR slip away counts ("Leithelser"/"Leitheiser").
 */
export function authorSimilarity(a: NormalizedRecord, b: NormalizedRecord): number | undefined {
  const x = a.authors.slice(0, 10);
  const y = b.authors.slice(0, 10);
  if (x.length === 0 || y.length === 0) return undefined;
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  const sameName = (f: string, g: string) =>
    f === g || (f.length >= 4 && g.length >= 4 && sharesEnd(f, g)) || (f.length >= 5 && g.length >= 5 && withinOneEdit(f, g));
  let hit = 0;
  for (const p of short) if (long.some((q) => sameName(q.family, p.family))) hit++;
  if (hit === short.length || short.length < 2) return hit / short.length;
  // Given names taken for surnames in one source ("Ching-yi W" for "Wu CY"): each surname starts
  // with the other's first initial, for every author in order.
  const swapped = short.every((p, i) => {
    const q = long[i]!;
    return p.initials !== '' && q.initials !== '' && q.family.startsWith(p.initials[0]!) && p.family.startsWith(q.initials[0]!);
  });
  return swapped ? 1 : hit / short.length;
}

function journalAgreement(a: NormalizedRecord, b: NormalizedRecord): Agreement {
  if (a.issns.length && b.issns.length && a.issns.some((i) => b.issns.includes(i))) return 'agree';
  if (!a.journal || !b.journal) return 'unknown';
  if (a.journal === b.journal) return 'agree';
  const x = a.journal.split(' ');
  const y = b.journal.split(' ');
  if (abbreviates(x, y) || abbreviates(y, x)) return 'agree';
  if (dice(a.journalGrams, b.journalGrams) >= 0.75) return 'agree';
  // One name is the end of the other ("Praxis" / "Schweizerische Rundschau fur Medizin Praxis"): a
  // series title one database drops, or a different journal; neither evidence nor conflict.
  const [short, long] = a.journal.length <= b.journal.length ? [a.journal, b.journal] : [b.journal, a.journal];
  return long.endsWith(` ${short}`) ? 'unknown' : 'conflict';
}

/** Page starts conflict unless one looks like an early-view placeholder ("1-10") or article number. */
function pageAgreement(a: NormalizedRecord, b: NormalizedRecord): Agreement {
  if (!a.pages || !b.pages) return 'unknown';
  if (a.pages.start === b.pages.start) return 'agree';
  if (a.pages.start === '1' || b.pages.start === '1') return 'unknown';
  return 'conflict';
}

/** Both have a multi-page range and the ranges are identical: single pages are shared by abstracts. */
function pageRangeEqual(a: NormalizedRecord, b: NormalizedRecord): boolean {
  return a.pages?.end !== undefined && a.pages.start === b.pages?.start && a.pages.end === b.pages.end;
}

/** x and y differ by one swap of adjacent characters. */
function swapsTwo(x: string, y: string): boolean {
  return x !== y && x.length === y.length && withinOneEdit(x, y) && [...x].sort().join('') === [...y].sort().join('');
}

/** Both titles carry numbers ("Part II", "1994-95") and no reading of them agrees. */
function numbersConflict(a: NormalizedRecord, b: NormalizedRecord): boolean {
  if (!a.titleNumbers || !b.titleNumbers) return false;
  // A drop capital lost by PDF extraction: "985 Opinion survey" for "1985 Opinion survey".
  if (a.title.slice(1) === b.title || b.title.slice(1) === a.title) return false;
  const x = [a.titleNumbers, a.titleNumbersLoose];
  return !x.includes(b.titleNumbers) && !x.includes(b.titleNumbersLoose);
}

function doiPrefix(doi: string | undefined): string | undefined {
  return doi?.slice(0, doi.indexOf('/'));
}

/**
 * A decision that rules out ever having both records in one work. Chains are checked with it: a
 * record 'same' as two records that it holds apart is one of them or neither.
 */
export function blocksGrouping(d: PairDecision): boolean {
  return (d.verdict === 'different' && d.reason !== 'no-title') || IDENTIFIER_CONFLICTS.has(d.reason);
}

function decision(verdict: Verdict, score: number, reason: string): PairDecision {
  return { verdict, score: Math.round(score * 1000) / 1000, reason };
}

/**
 * Decides whether two records are the same work. Identifiers first (with guards), then title,
 * authors, year and bibliographic locators. Notices and preprint/journal pairs are never 'same':
 * they are linked as relations instead (see relations.ts).
 */
export function matchPair(a: NormalizedRecord, b: NormalizedRecord): PairDecision {
  const t = titleSimilarity(a, b);
  if ((a.notice ?? '') !== (b.notice ?? '')) return decision('different', t, 'notice-vs-article');
  if (a.preprint !== b.preprint) return decision('different', t, 'preprint-vs-published');

  if (a.pmid && b.pmid && a.pmid !== b.pmid) return decision('different', t, 'pmid-conflict');
  if (a.pmcid && b.pmcid && a.pmcid !== b.pmcid) return decision('different', t, 'pmcid-conflict');
  if ((a.pmid && a.pmid === b.pmid) || (a.pmcid && a.pmcid === b.pmcid)) {
    // Sanity check against a wrong identifier in one source.
    return t >= 0.6 || !a.title || !b.title ? decision('same', 1, 'pmid') : decision('uncertain', t, 'pmid-title-mismatch');
  }

  const years = a.year !== undefined && b.year !== undefined ? Math.abs(a.year - b.year) : undefined;
  const volume = cmp(a.volume, b.volume);
  const pages = pageAgreement(a, b);
  const issue = cmp(a.issue, b.issue);
  const authors = authorSimilarity(a, b);
  const journal = journalAgreement(a, b);
  // Volume plus first page (or issue, when pages are missing) pins down one item of one journal.
  const locatorAgrees = volume === 'agree' && (pages === 'agree' || (pages === 'unknown' && issue === 'agree'));
  const affix = titleAffix(a, b);
  const locatorConflicts = (volume === 'conflict' ? 1 : 0) + (pages === 'conflict' ? 1 : 0);
  const score = 0.6 * t + 0.2 * (authors ?? 0.5) + 0.1 * (locatorAgrees ? 1 : 0) + 0.1 * (journal === 'agree' ? 1 : 0);

  if (a.doi && a.doi === b.doi) {
    // One DOI can cover a whole congress abstract book: merge on it only when the titles agree.
    if (t >= T.titleSame || affix || (t >= T.doiTitle && pages !== 'conflict')) return decision('same', Math.max(score, 0.95), 'doi');
    if (!a.title || !b.title) return decision('uncertain', score, 'doi-without-title');
    return decision(t >= 0.5 ? 'uncertain' : 'different', score, 'shared-doi-titles-differ');
  }
  // Two swapped characters in one DOI ("16526"/"16256") are a typing slip, not a conflict, when title,
  // volume, issue and year agree and pages do not conflict. Other one-character differences stay
  // conflicts: they are how sequential DOIs differ.
  const doiTypo =
    swapsTwo(a.doi ?? '', b.doi ?? '') && t >= T.titleSame && volume === 'agree' && issue !== 'conflict' && years === 0 && pages !== 'conflict';
  // One article registered twice, by two agencies (JSTOR's 10.2307 and the journal's own prefix):
  // different registrants, everything else identical.
  const doiAlias =
    doiPrefix(a.doi) !== doiPrefix(b.doi) && t >= 0.97 && journal === 'agree' && volume === 'agree' && issue !== 'conflict' &&
    years === 0 && pages !== 'conflict' && (authors ?? 0) >= T.authorsStrong;
  const doiConflict = a.doi !== undefined && b.doi !== undefined && !doiTypo && !doiAlias;

  if (!a.title || !b.title) {
    // A title lost in extraction (a PDF parsed by GROBID, which loses pages too): every author of
    // one is an author of the titled other, in the same issue of the same journal. Two such items
    // in one issue are told apart by the chain guard, as their titled records differ. With pages on
    // both sides, the labelled sets hold separate title-less items on the same pages: asked.
    const oneTitled = Boolean(a.title) !== Boolean(b.title);
    // Without the issue (GROBID often loses it), the same list of two or more authors in the volume.
    const sameList = authors === 1 && a.authors.length >= 2 && a.authors.length === b.authors.length;
    const inIssue = locatorAgrees || (volume === 'agree' && issue === 'unknown' && sameList);
    if (oneTitled && inIssue && pages === 'unknown' && journal === 'agree' && authors === 1 && (years ?? 0) <= 1 && !doiConflict) {
      // The same author list outranks a longer one holding it, so each title-less record joins its own item first.
      const lists = Math.min(a.authors.length, b.authors.length) / Math.max(a.authors.length, b.authors.length);
      return decision('same', score + 0.05 * lists, 'no-title+locator+authors');
    }
    return decision(locatorAgrees && (authors ?? 0) >= T.authorsStrong ? 'uncertain' : 'different', score, 'no-title');
  }
  // Same journal, volume, year and full page range, same authors: one article even when its title
  // was translated or reworded by one database, or a number in it mistyped ("p6INK4a"/"p16INK4a");
  // the parts of a series never share their pages.
  const pinned =
    volume === 'agree' && pageRangeEqual(a, b) && years === 0 && journal !== 'conflict' &&
    (authors !== undefined ? authors >= T.authorsStrong : journal === 'agree');
  if (pinned && t >= T.titlePinned && !doiConflict) return decision('same', score, 'locator+authors');
  if (numbersConflict(a, b)) return decision('different', score, 'title-numbers');
  const wordCount = Math.min(a.title.split(' ').length, b.title.split(' ').length);
  const coAuthored = Math.min(a.authors.length, b.authors.length) >= 2;
  // Part of the other title, in the same volume of the journal with nothing against it: what PDF
  // extraction kept of a title ("A longitudinal study 1"), or a column's bare heading. (A title's
  // start or end in a located issue is for the rules below.)
  const samePlace = volume === 'agree' && journal === 'agree' && (years ?? 0) <= 1 && pages !== 'conflict' && !doiConflict;
  if (samePlace && t < T.titleLoose && !(affix && locatorAgrees)) {
    const [short, long] = a.title.length <= b.title.length ? [a.title, b.title] : [b.title, a.title];
    if (wordCount <= 3 && long.startsWith(`${short} `)) {
      // "Editor's comments" heads a column in every issue, and some issues hold two: asked, when in
      // the same issue by the same editor or with no author on one side.
      if (issue === 'agree' && (authors === undefined || authors === 1)) return decision('uncertain', score, 'column-heading+locator');
    } else if (authors === 1 && coAuthored && issue !== 'conflict' && pages === 'unknown' && titleFragment(a, b)) {
      // Every author of a team of two or more: the team's article, whose pages PDF extraction lost too.
      return decision('same', score, 'title-fragment+authors+locator');
    }
  }
  if (t < T.titleFloor && !affix) return decision('different', score, 'title');
  // Databases disagree on the year of one issue (epub vs print, DBLP vs Crossref): trust the locator.
  if (years !== undefined && years > 1 && !(locatorAgrees && journal !== 'conflict')) return decision('different', score, 'year');
  if (locatorConflicts === 2) return decision('different', score, 'volume+pages');
  // Every 'same' below is fuzzy; conflicting DOIs turn it into a question.
  const verdictIfOk = (reason: string): PairDecision =>
    doiConflict ? decision('uncertain', score, 'doi-conflict') : decision('same', score, reason);
  // Same journal volume, same authors, same long title: one article whose issue or pages a source
  // got wrong, or printed twice in the volume, or print pages vs an e-locator ("969-972" vs "a1754").
  // Across issues only for long titles by several authors: recurring items share short titles
  // ("Editor's comments") or a long one by the one editor ("Remarks from the editor - ...").
  const sameVolumeItem =
    t >= 0.97 && volume === 'agree' && journal === 'agree' && (authors ?? 0) >= T.authorsStrong && (years ?? 0) === 0 &&
    (issue === 'conflict' ? wordCount >= 6 && coAuthored && pages === 'unknown' : pages === 'conflict');
  if (sameVolumeItem) return verdictIfOk('title+volume');
  // A short title in another volume or issue of the journal, or under another DOI of its publisher:
  // a recurring item ("Editorial notes", "Editor's comments"), not a copy with a wrong locator. So
  // is a column by one editor in another issue with no pages to compare ("Remarks from MIS
  // Quarterly Editor").
  const otherIssue = volume === 'conflict' || issue === 'conflict';
  const recurring =
    journal !== 'conflict' &&
    ((wordCount <= 4 && (otherIssue || (doiConflict && doiPrefix(a.doi) === doiPrefix(b.doi)))) ||
      (otherIssue && Math.max(a.authors.length, b.authors.length) <= 1 && pages === 'unknown'));
  if (recurring) return decision('different', score, 'recurring-item');
  // Same volume, different issue, no page to tell them apart: recurring items ("Editor's comments").
  if (issue === 'conflict' && pages !== 'agree') return decision(t >= T.titleSame ? 'uncertain' : 'different', score, 'issue');
  if (authors !== undefined && authors < T.authorsOk) {
    // A long title, all but identical, in one issue of one journal is one item whatever the author
    // lists say: PDF extraction garbles them ("Chart; Kwok" for "Chan; Wei"). Recurring items have
    // short titles.
    const sameIssueTitle = t >= 0.97 && wordCount >= 6 && journal === 'agree' && volume === 'agree' && issue === 'agree' && pages !== 'conflict' && (years ?? 0) <= 1;
    if (sameIssueTitle) return verdictIfOk('title+issue');
    // "Editorial" by other editors in another journal: volume 10, issue 1 is every journal's tenth year.
    const otherJournalsItem = wordCount <= 4 && journal === 'conflict';
    return decision(t >= T.titleSame && locatorAgrees && !otherJournalsItem ? 'uncertain' : 'different', score, 'authors');
  }


  const shortTitle = wordCount <= 4;
  if (t >= T.titleSame && locatorConflicts === 0) {
    if (locatorAgrees) return verdictIfOk('title+locator');
    // Generic short titles ("Editorial", "Editor's comments") need the locator to agree, or the same
    // three or more authors in the same journal and year ("Corticosteroids for tuberculous pleurisy").
    const sameTeam = Math.min(a.authors.length, b.authors.length) >= 3 && (authors ?? 0) >= T.authorsStrong && journal === 'agree' && years === 0;
    if (shortTitle && !sameTeam) return decision('uncertain', score, 'short-title');
    if (journal === 'conflict') return decision('uncertain', score, 'journal');
    if (authors === undefined && journal !== 'agree') return decision('uncertain', score, 'no-authors');
    // Nothing but title and authors: a working paper and its conference version a year apart.
    if (journal === 'unknown' && years !== 0) return decision('uncertain', score, 'title+authors-only');
    return verdictIfOk('title+authors+venue');
  }
  // Proceedings papers have no volume: the same full page range stands in for the locator.
  const rangeAgrees = pageRangeEqual(a, b) && volume !== 'conflict' && journal !== 'conflict';
  if ((t >= T.titleLoose || affix) && (locatorAgrees || rangeAgrees) && (authors ?? 0) >= T.authorsStrong) return verdictIfOk('similar-title+locator');
  // A whole title of 6+ words inside a longer one (a special-issue heading before it) in the same
  // issue: half the authors is enough, as PDF extraction garbles author lines.
  if (affix && wordCount >= 6 && locatorAgrees && journal === 'agree' && (authors === undefined || authors >= T.authorsOk)) return verdictIfOk('title-affix+locator');
  return decision(t >= T.titleLoose ? 'uncertain' : 'different', score, locatorConflicts ? 'locator' : 'similar-title');
}
