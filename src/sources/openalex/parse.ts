// An OpenAlex work (the JSON of /works results) as a SourceRecord. Pure; a field of an unexpected
// shape is left out with a warning on the record, never thrown.
import { normalizeDoi, normalizePmcid, normalizePmid } from '../../dedup/normalize.js';
import { toAuthor } from '../../imports/readers/fields.js';
import { type Author, NO_FLAGS, type SourceRecord } from '../../records/types.js';
import { normaliseOrcid, squash } from '../text.js';
import { medlineFromIso1 } from '../../strategy/languages.js';
import { type Json, isObject, str } from '../json.js';
import { plainText } from '../markup.js';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** OpenAlex ids are URLs (https://openalex.org/W2741809807); the W id is what stays stable. */
export function workId(id: unknown): string | undefined {
  return /(?:^|\/)(W\d+)$/.exec(str(id) ?? '')?.[1];
}

/**
 * The abstract from `abstract_inverted_index` (word → positions): words put back at their
 * positions. Undefined for null; a malformed index gives a warning.
 */
export function rebuildAbstract(index: unknown, warnings: string[]): string | undefined {
  if (index === null || index === undefined) return undefined;
  if (!isObject(index)) {
    warnings.push('abstract_inverted_index is not an object; abstract left out');
    return undefined;
  }
  const at: string[] = [];
  for (const [word, positions] of Object.entries(index)) {
    if (!Array.isArray(positions) || !positions.every((p) => Number.isInteger(p) && p >= 0 && p < 1_000_000)) {
      warnings.push(`abstract_inverted_index: positions of "${word.slice(0, 40)}" are not word positions; abstract left out`);
      return undefined;
    }
    for (const p of positions as number[]) at[p] = word;
  }
  const text = squash(at.filter((w) => w !== undefined).join(' '));
  return text || undefined;
}

function authorsOf(authorships: unknown, warnings: string[]): Author[] {
  const authors: Author[] = [];
  for (const [i, a] of list(authorships).entries()) {
    const person = isObject(a) && isObject(a.author) ? a.author : undefined;
    const name = str(person?.display_name) ?? (isObject(a) ? str(a.raw_author_name) : undefined);
    if (!name) {
      warnings.push(`authorship ${i + 1} has no name; left out`);
      continue;
    }
    const author = toAuthor(name);
    const orcid = str(person?.orcid) && normaliseOrcid(str(person?.orcid)!);
    authors.push(orcid ? { ...author, orcid } : author);
  }
  return authors;
}

function pagesOf(biblio: Json): string | undefined {
  const first = str(biblio.first_page);
  const last = str(biblio.last_page);
  if (first && last && last !== first) return `${first}-${last}`;
  return first ?? last;
}

const KIND: Record<string, SourceRecord['kind']> = {
  preprint: 'preprint',
  book: 'book',
  'book-chapter': 'book-chapter',
  article: 'article',
  review: 'article',
  letter: 'article',
  editorial: 'article',
  erratum: 'article',
  retraction: 'article',
};

/** One work; undefined (with a reason in `warnings`) when it has no W id to key it by. */
export function parseOpenAlexWork(work: unknown, warnings: string[] = []): SourceRecord | undefined {
  if (!isObject(work)) {
    warnings.push('a result is not a JSON object; skipped');
    return undefined;
  }
  const sourceId = workId(work.id);
  if (!sourceId) {
    warnings.push(`a result has no OpenAlex W id (${JSON.stringify(work.id ?? null).slice(0, 60)}); skipped`);
    return undefined;
  }
  const w: string[] = [];
  const ids = isObject(work.ids) ? work.ids : {};
  const doi = normalizeDoi(str(ids.doi) ?? str(work.doi));
  const pmid = normalizePmid(str(ids.pmid)?.replace(/\/+$/, ''));
  const pmcid = normalizePmcid(str(ids.pmcid)?.replace(/\/+$/, ''));

  const rawTitle = str(work.title) ?? str(work.display_name);
  const type = str(work.type);
  // Paratext (covers, front matter, tables of contents) has no title at OpenAlex.
  if (!rawTitle) w.push(`no title (type ${type ?? 'unknown'})`);

  const location = isObject(work.primary_location) ? work.primary_location : {};
  const venue = isObject(location.source) ? location.source : {};
  const issn = [...new Set([str(venue.issn_l), ...list(venue.issn).map(str)].filter((s): s is string => !!s))];
  const biblio = isObject(work.biblio) ? work.biblio : {};
  const year = typeof work.publication_year === 'number' && Number.isInteger(work.publication_year) ? work.publication_year : undefined;
  const created = /^\d{4}-\d{2}-\d{2}/.exec(str(work.created_date) ?? '')?.[0];
  if (!created) w.push(`created_date ${JSON.stringify(work.created_date ?? null)} is not a date`);
  const language = str(work.language);
  const publicationTypes = [...new Set([type, str(work.type_crossref)].filter((s): s is string => !!s))];
  const keywords = list(work.keywords).map((k) => (isObject(k) ? str(k.display_name) : undefined)).filter((s): s is string => !!s);
  const meshTerms = [...new Set(list(work.mesh).map((m) => (isObject(m) ? str(m.descriptor_name) : undefined)).filter((s): s is string => !!s))];
  const abstract = rebuildAbstract(work.abstract_inverted_index, w);

  const record: SourceRecord = {
    source: 'openalex',
    sourceId,
    title: rawTitle ? plainText(rawTitle) : '',
    authors: authorsOf(work.authorships, w),
    flags: {
      ...NO_FLAGS,
      retracted: work.is_retracted === true,
      retractionNotice: type === 'retraction',
      erratum: type === 'erratum',
    },
    kind: (type ? KIND[type] : undefined) ?? 'other',
  };
  if (doi) record.doi = doi;
  if (pmid) record.pmid = pmid;
  if (pmcid) record.pmcid = pmcid;
  if (abstract) record.abstract = abstract;
  if (str(venue.display_name)) record.journal = str(venue.display_name);
  if (issn.length > 0) record.issn = issn;
  if (str(biblio.volume)) record.volume = str(biblio.volume);
  if (str(biblio.issue)) record.issue = str(biblio.issue);
  const pages = pagesOf(biblio);
  if (pages) record.pages = pages;
  if (year !== undefined) record.year = year;
  if (language) record.language = [medlineFromIso1(language)];
  if (publicationTypes.length > 0) record.publicationTypes = publicationTypes;
  if (keywords.length > 0) record.keywords = keywords;
  if (meshTerms.length > 0) record.meshTerms = meshTerms;
  if (created) record.entryDate = created;
  if (w.length > 0) record.warnings = w;
  return record;
}

/** One page of a works list: what paging needs, the works left raw for parseOpenAlexWork. */
export interface WorksPage {
  count: number;
  nextCursor: string | null;
  results: unknown[];
}

/** Undefined when the body is not a works list (no numeric meta.count or no results array). */
export function parseWorksPage(body: unknown): WorksPage | undefined {
  if (!isObject(body) || !isObject(body.meta) || !Array.isArray(body.results)) return undefined;
  const { count, next_cursor: next } = body.meta;
  if (typeof count !== 'number') return undefined;
  return { count, nextCursor: typeof next === 'string' && next !== '' ? next : null, results: body.results };
}
