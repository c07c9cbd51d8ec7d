import type { RecordRelation, SourceRecord } from '../records/types.js';
import {
  type NormalizedAuthor,
  type PageRange,
  normalizeAuthor,
  normalizeDoi,
  normalizeIssue,
  normalizeIssns,
  normalizeJournal,
  normalizeNumber,
  normalizePages,
  normalizePmcid,
  normalizePmid,
  normalizeTitle,
  normalizeYear,
  splitNoticePrefix,
  tokens,
} from './normalize.js';
import { trigrams } from './similarity.js';

/** A notice is a separate record about another one; it is linked to it, never merged. */
export type Notice = 'erratum' | 'retraction' | 'expression-of-concern';

/** Match keys derived once per record; `matchPair` and the block keys read only these. */
export interface NormalizedRecord {
  /** `source:sourceId`, unique across sources. */
  key: string;
  sourceId: string;
  doi?: string;
  pmid?: string;
  pmcid?: string;
  title: string;
  titleGrams: Uint32Array;
  /** Numbers and "part"/roman-numeral markers in the title; differing sets mean different works. */
  titleNumbers: string;
  /** `titleNumbers` without a footnote mark glued to the last word by PDF extraction. */
  titleNumbersLoose: string;
  authors: NormalizedAuthor[];
  year?: number;
  journal?: string;
  /** Trigrams of `journal` (empty without one), compared for every candidate pair. */
  journalGrams: Uint32Array;
  issns: string[];
  volume?: string;
  issue?: string;
  pages?: PageRange;
  notice?: Notice;
  preprint: boolean;
  relations: RecordRelation[];
}

// Preprint servers by DOI prefix; 10.1101 is only bioRxiv/medRxiv when the suffix is a date or a
// bare number (CSHL journals share the prefix).
const PREPRINT_DOI =
  /^10\.(?:1101\/(?:\d{4}\.\d{2}\.\d{2}\.|\d{5,7}$)|21203\/rs\.|2139\/ssrn\.|48550\/arxiv\.|20944\/preprints|31234\/osf\.io|31219\/osf\.io|31235\/osf\.io|1590\/scielopreprints)/;
const PREPRINT_VENUE = /\b(?:biorxiv|medrxiv|arxiv|research square|ssrn|preprints|psyarxiv|osf preprints|scielo preprints)\b/;

const ROMAN_AFTER = /\b(?:part|phase|stage|type|study|trial)\s+(i{1,3}|iv|v|vi{1,3}|ix|x)\b/g;

function numbersIn(title: string): string {
  // Digit runs anywhere, so "HPV16" and "HPV 16" agree.
  const nums = (title.match(/\d+/g) ?? []).filter((t) => t.length < 5);
  for (const m of title.matchAll(ROMAN_AFTER)) nums.push(m[1]!);
  return [...new Set(nums)].sort().join(' ');
}

/** The title's numbers, and the same without a footnote mark glued to its last word ("Results1"). */
function titleNumbers(title: string): { numbers: string; withoutFootnote: string } {
  const numbers = numbersIn(title);
  return { numbers, withoutFootnote: /[a-z]1$/.test(title) ? numbersIn(title.slice(0, -1)) : numbers };
}

/**
 * A PDF page header "Surname/Title" taken for the title: the part before the slash is one of the
 * record's own authors ("Weber/Editor's Comments").
 */
function withoutRunningHeader(raw: string | undefined, authors: readonly NormalizedAuthor[]): string | undefined {
  const m = raw ? /^\s*([^\s/]+)\s*\/\s*(\S.*)$/.exec(raw) : null;
  if (!m) return raw;
  const head = tokens(m[1]!).join('');
  return authors.some((a) => a.family === head) ? m[2] : raw;
}

function noticeOf(r: SourceRecord, prefix: ReturnType<typeof splitNoticePrefix>['notice']): Notice | undefined {
  const types = (r.publicationTypes ?? []).map((t) => t.toLowerCase());
  if (r.flags.retractionNotice || types.includes('retraction of publication') || prefix === 'retraction') return 'retraction';
  if (r.flags.erratum || types.includes('published erratum') || prefix === 'erratum') return 'erratum';
  if (prefix === 'expression-of-concern' || types.includes('expression of concern')) return 'expression-of-concern';
  return undefined;
}

export function normalizeRecord(r: SourceRecord): NormalizedRecord {
  const authors = r.authors
    .filter((a) => !a.collective)
    .map((a) => normalizeAuthor(a.family, a.initials))
    .filter((a): a is NormalizedAuthor => a !== undefined);
  const title = normalizeTitle(withoutRunningHeader(r.title, authors));
  const numbers = titleNumbers(title);
  const doi = normalizeDoi(r.doi);
  const journal = normalizeJournal(r.journal) ?? normalizeJournal(r.journalAbbrev);
  const types = (r.publicationTypes ?? []).map((t) => t.toLowerCase());
  return {
    key: `${r.source}:${r.sourceId}`,
    sourceId: r.sourceId,
    doi,
    pmid: normalizePmid(r.pmid),
    pmcid: normalizePmcid(r.pmcid),
    title,
    titleGrams: trigrams(title),
    titleNumbers: numbers.numbers,
    titleNumbersLoose: numbers.withoutFootnote,
    authors,
    year: normalizeYear(r.year),
    journal,
    journalGrams: trigrams(journal ?? ''),
    issns: normalizeIssns(r.issn),
    volume: normalizeNumber(r.volume),
    issue: normalizeIssue(r.issue),
    pages: normalizePages(r.pages),
    notice: noticeOf(r, splitNoticePrefix(r.title ?? '').notice),
    preprint:
      r.kind === 'preprint' ||
      types.includes('preprint') ||
      (doi !== undefined && PREPRINT_DOI.test(doi)) ||
      PREPRINT_VENUE.test(tokens(r.journal ?? '').join(' ')),
    relations: r.relations ?? [],
  };
}
