// One Crossref work item (the JSON of /works) as a SourceRecord. Pure: no I/O. Fields are optional
// and publishers fill them unevenly, so a field of an unexpected type becomes a warning on the
// record, never an exception.
import { parseAuthorName } from '../../dedup/normalize.js';
import { NO_FLAGS, type Author, type NoticeFlags, type RecordRelation, type SourceRecord } from '../../records/types.js';
import { words } from '../../strategy/evaluate.js';
import { isoDate, normaliseOrcid, squash } from '../text.js';
import { medlineFromIso1 } from '../../strategy/languages.js';
import { plainText } from '../markup.js';
import { jatsSections } from './jats.js';
import { type Json, isObject } from '../json.js';


/** What Crossref's update types (update-to / updated-by) mean for a review. */
type UpdateKind = 'erratum' | 'retraction' | 'concern' | 'version';
const UPDATE_KINDS: Record<string, UpdateKind> = {
  correction: 'erratum', corrigendum: 'erratum', erratum: 'erratum',
  retraction: 'retraction', partial_retraction: 'retraction', withdrawal: 'retraction', removal: 'retraction',
  expression_of_concern: 'concern',
  new_version: 'version', new_edition: 'version',
};
/** Update types that change nothing a reviewer screens on. */
const UNMAPPED_UPDATES = new Set(['addendum', 'clarification']);

/** Relation and flag set on the notice (update-to) and on the original (updated-by). */
const NOTICE_SIDE: Record<UpdateKind, { relation: RecordRelation['type']; flag?: keyof NoticeFlags }> = {
  erratum: { relation: 'erratum-for', flag: 'erratum' },
  retraction: { relation: 'retraction-of', flag: 'retractionNotice' },
  concern: { relation: 'expression-of-concern-for', flag: 'expressionOfConcern' },
  version: { relation: 'update-of' },
};
const ORIGINAL_SIDE: Record<UpdateKind, { relation: RecordRelation['type']; flag?: keyof NoticeFlags }> = {
  erratum: { relation: 'erratum-in' },
  retraction: { relation: 'retraction-in', flag: 'retracted' },
  concern: { relation: 'expression-of-concern-in', flag: 'expressionOfConcern' },
  version: { relation: 'updated-by' },
};

const KINDS: Record<string, SourceRecord['kind']> = {
  'journal-article': 'article', 'proceedings-article': 'article',
  'book-chapter': 'book-chapter', 'book-section': 'book-chapter', 'book-part': 'book-chapter',
  book: 'book', monograph: 'book', 'edited-book': 'book', 'reference-book': 'book',
};

/** Reads fields off one item, noting each one of an unexpected type. */
class Fields {
  readonly warnings: string[] = [];
  constructor(private readonly item: Json) {}

  /** Crossref's string lists (title, container-title, ISSN): empty when absent. */
  strings(key: string): string[] {
    const v = this.item[key];
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
    this.warnings.push(`${key}: expected a list of strings, got ${typeof v}`);
    return [];
  }

  /** First non-empty entry of a string list, as plain text. */
  first(key: string): string | undefined {
    return this.strings(key).map(plainText).find(Boolean);
  }

  scalar(key: string): string | undefined {
    const v = this.item[key];
    if (typeof v === 'string') return squash(v) || undefined;
    if (typeof v === 'number') return String(v);
    if (v !== undefined && v !== null) this.warnings.push(`${key}: expected a string, got ${typeof v}`);
    return undefined;
  }

  /** A string as deposited (markup kept), for the JATS abstract. */
  raw(key: string): string | undefined {
    const v = this.item[key];
    if (typeof v === 'string') return v;
    if (v !== undefined && v !== null) this.warnings.push(`${key}: expected a string, got ${typeof v}`);
    return undefined;
  }

  object(key: string): Json | undefined {
    const v = this.item[key];
    return isObject(v) ? v : undefined;
  }

  objects(key: string): Json[] {
    const v = this.item[key];
    if (v === undefined || v === null) return [];
    if (Array.isArray(v)) return v.filter(isObject);
    this.warnings.push(`${key}: expected a list, got ${typeof v}`);
    return [];
  }

  /** [year, month?, day?] of a Crossref date ({"date-parts": [[2019, 11, 24]]}); [[null]] is no date. */
  dateParts(key: string): number[] | undefined {
    const v = this.item[key];
    if (v === undefined || v === null) return undefined;
    const parts = isObject(v) && Array.isArray(v['date-parts']) ? v['date-parts'][0] : undefined;
    if (!Array.isArray(parts)) {
      this.warnings.push(`${key}: no date-parts`);
      return undefined;
    }
    const nums: number[] = [];
    for (const p of parts) {
      const n = typeof p === 'string' ? Number(p) : p;
      if (typeof n !== 'number' || !Number.isInteger(n)) break;
      nums.push(n);
    }
    return nums.length > 0 ? nums : undefined;
  }

  isoDay(key: string): string | undefined {
    const [y, m, d] = this.dateParts(key) ?? [];
    return y !== undefined && m !== undefined && d !== undefined ? isoDate(String(y), String(m), String(d)) : undefined;
  }
}

/**
 * "Title: subtitle", as PubMed's ArticleTitle holds both. Some publishers deposit a running head
 * as the subtitle ("MICROBIAL CONTAMINATION IN PEELED CHESTNUTS"): a subtitle in capitals, or
 * one whose words the title already has, is left out.
 */
export function withSubtitle(title: string, subtitle: string | undefined): string {
  if (!subtitle || !title) return title || subtitle || '';
  if (/\p{L}/u.test(subtitle) && subtitle === subtitle.toUpperCase()) return title;
  const have = new Set(words(title));
  if (words(subtitle).every((w) => have.has(w))) return title;
  return /[.:?!]$/.test(title) ? `${title} ${subtitle}` : `${title}: ${subtitle}`;
}

function author(a: Json, warnings: string[]): Author | undefined {
  const text = (v: unknown) => (typeof v === 'string' ? squash(v) : '');
  const family = text(a.family);
  const given = text(a.given);
  const orcid = typeof a.ORCID === 'string' ? normaliseOrcid(a.ORCID) : undefined;
  let out: Author;
  if (family) {
    out = { family };
    if (given) Object.assign(out, { given, initials: parseAuthorName(`${family}, ${given}`).initials || undefined });
  } else if (text(a.name)) {
    out = { family: text(a.name), collective: true }; // an organisation
  } else if (given) {
    out = { family: given }; // a single-name author deposited as `given` only
  } else {
    warnings.push('author: an entry with no family, given or name');
    return undefined;
  }
  if (out.initials === undefined) delete out.initials;
  if (orcid) out.orcid = orcid;
  return out;
}

/** The record of one work item; undefined when the item has no DOI (it cannot be identified). */
export function parseCrossrefWork(item: unknown): SourceRecord | undefined {
  if (!isObject(item) || typeof item.DOI !== 'string' || !item.DOI.trim()) return undefined;
  const doi = item.DOI.trim().toLowerCase();
  const f = new Fields(item);

  const title = withSubtitle(f.first('title') ?? '', f.first('subtitle'));
  if (!title) f.warnings.push('no title');
  const type = f.scalar('type');
  const subtype = f.scalar('subtype');
  const preprint = type === 'posted-content' && (subtype === undefined || subtype === 'preprint');

  const record: SourceRecord = {
    source: 'crossref',
    sourceId: doi,
    doi,
    title,
    authors: f.objects('author').map((a) => author(a, f.warnings)).filter((a): a is Author => a !== undefined),
    flags: { ...NO_FLAGS },
    kind: preprint ? 'preprint' : (KINDS[type ?? ''] ?? 'other'),
  };

  const abstract = f.raw('abstract');
  if (abstract) {
    const sections = jatsSections(abstract);
    if (sections.length > 0) record.abstract = sections.map((s) => (s.label ? `${s.label}: ${s.text}` : s.text)).join('\n');
    if (sections.some((s) => s.label)) record.abstractSections = sections;
  }

  // A preprint has no container; its server (bioRxiv, Research Square) is the nearest thing.
  const journal = f.first('container-title') ?? (preprint ? f.objects('institution').map((i) => (typeof i.name === 'string' ? squash(i.name) : '')).find(Boolean) : undefined);
  const optional: Partial<SourceRecord> = {
    journal,
    journalAbbrev: f.first('short-container-title'),
    volume: f.scalar('volume'),
    issue: f.scalar('issue'),
    pages: f.scalar('page'),
    year: (f.dateParts('published') ?? f.dateParts('issued'))?.[0],
    entryDate: f.isoDay('created') ?? f.isoDay('indexed'),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(record, { [k]: v });
  const issn = f.strings('ISSN').map(squash).filter(Boolean);
  if (issn.length > 0) record.issn = [...new Set(issn)];
  const language = f.scalar('language');
  if (language) record.language = [medlineFromIso1(language)];
  if (type) record.publicationTypes = subtype ? [type, subtype] : [type];

  const relations = [...updates(f, doi, 'update-to', record.flags), ...updates(f, doi, 'updated-by', record.flags), ...preprintLinks(f)];
  if (relations.length > 0) record.relations = relations;
  if (f.warnings.length > 0) record.warnings = f.warnings;
  return record;
}

/** update-to sits on the notice and names the original; updated-by sits on the original. */
function updates(f: Fields, doi: string, key: 'update-to' | 'updated-by', flags: NoticeFlags): RecordRelation[] {
  const side = key === 'update-to' ? NOTICE_SIDE : ORIGINAL_SIDE;
  const out: RecordRelation[] = [];
  for (const u of f.objects(key)) {
    const type = typeof u.type === 'string' ? u.type.toLowerCase() : '';
    const target = typeof u.DOI === 'string' ? u.DOI.trim().toLowerCase() : '';
    const kind = UPDATE_KINDS[type];
    if (!kind) {
      if (!UNMAPPED_UPDATES.has(type)) f.warnings.push(`${key}: update type "${type}" not mapped`);
      continue;
    }
    const { relation, flag } = side[kind];
    if (flag) flags[flag] = true;
    // Some deposits list the notice itself as its own update; a link to itself says nothing.
    if (target && target !== doi) out.push({ type: relation, doi: target, note: typeof u.source === 'string' ? `${type} (${u.source})` : type });
  }
  return out;
}

function preprintLinks(f: Fields): RecordRelation[] {
  const rel = f.object('relation');
  if (!rel) return [];
  const links: [string, RecordRelation['type']][] = [['is-preprint-of', 'preprint-of'], ['has-preprint', 'has-preprint']];
  return links.flatMap(([key, type]) =>
    (Array.isArray(rel[key]) ? rel[key] : [])
      .filter((r): r is Json => isObject(r) && r['id-type'] === 'doi' && typeof r.id === 'string')
      .map((r) => ({ type, doi: (r.id as string).trim().toLowerCase() })),
  );
}
