// Maps Europe PMC search responses (resultType=core, format=json) to SourceRecords. Pure: no I/O.
// Every field is optional upstream (a preprint has no journal, an erratum no authors), so each is
// read defensively; a field of an unexpected shape becomes a warning on the record, never a throw.
import { PermanentError } from '../../errors.js';
import type { AbstractSection, Author, NoticeFlags, RecordRelation, SourceRecord } from '../../records/types.js';
import { normaliseOrcid, unbracketTitle } from '../text.js';
import { type Json, isObject, str } from '../json.js';
import { plainText } from '../markup.js';

export interface EuropePmcPage {
  hitCount: number;
  /** Absent on a zero-hit answer; on the last page Europe PMC echoes the cursor it was sent. */
  nextCursorMark?: string;
  records: SourceRecord[];
  /** Results that could not become records at all (no id or source). */
  warnings: string[];
}


/**
 * Reads `parent[wrapper][item]` as a list, e.g. authorList.author. A lone value is a list of one
 * (some JSON conversions of XML drop the array); anything else that is present is a warning.
 */
function list(parent: Json, wrapper: string, item: string, warnings: string[]): unknown[] {
  const w = parent[wrapper];
  if (w === undefined || w === null) return [];
  const items = isObject(w) ? w[item] : undefined;
  if (Array.isArray(items)) return items;
  if (items !== undefined && items !== null) return [items];
  warnings.push(`${wrapper} not understood`);
  return [];
}

function strings(values: unknown[], what: string, warnings: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const s = str(v);
    if (s) out.push(s);
    else warnings.push(`${what} entry not understood: ${JSON.stringify(v)}`);
  }
  return out;
}

/** Structured abstracts mark each section with <h4>Label</h4>; the text before any label is unlabelled. */
function abstractSections(html: string): AbstractSection[] {
  const parts = html.split(/<h4\b[^>]*>([\s\S]*?)<\/h4>/i);
  const sections: AbstractSection[] = [];
  const first = plainText(parts[0]!);
  if (first) sections.push({ text: first });
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const label = plainText(parts[i]!).replace(/:$/, '');
    const text = plainText(parts[i + 1]!);
    if (text) sections.push(label ? { label, text } : { text });
  }
  return sections;
}

function author(raw: unknown, warnings: string[]): Author | undefined {
  if (!isObject(raw)) {
    warnings.push(`author not understood: ${JSON.stringify(raw)}`);
    return undefined;
  }
  const collective = str(raw.collectiveName);
  if (collective) return { family: collective, collective: true };
  let family = str(raw.lastName);
  let initials = str(raw.initials);
  if (!family) {
    // Only "Family IN" is given for some records: split off the initials.
    const m = /^(.+?)\s+([A-Z]{1,4})$/.exec(str(raw.fullName) ?? '');
    if (!m) {
      warnings.push(`author without lastName or collectiveName skipped: ${JSON.stringify(raw.fullName ?? raw)}`);
      return undefined;
    }
    family = m[1]!;
    initials ??= m[2];
  }
  const a: Author = { family };
  if (initials) a.initials = initials;
  const given = str(raw.firstName);
  if (given) a.given = given;
  const id = raw.authorId;
  if (isObject(id) && str(id.type) === 'ORCID') {
    const orcid = normaliseOrcid(str(id.value) ?? '');
    if (orcid) a.orcid = orcid;
    else warnings.push(`ORCID not understood: ${JSON.stringify(id.value)}`);
  }
  return a;
}

/** commentCorrection types, lower case without spaces ("Erratum for" -> erratumfor). */
const RELATION_TYPES: Record<string, RecordRelation['type']> = {
  erratumfor: 'erratum-for', erratumin: 'erratum-in', retractionof: 'retraction-of', retractionin: 'retraction-in',
  expressionofconcernfor: 'expression-of-concern-for', expressionofconcernin: 'expression-of-concern-in',
  updateof: 'update-of', updatein: 'updated-by',
};

function relation(raw: unknown, warnings: string[]): RecordRelation | undefined {
  if (!isObject(raw)) {
    warnings.push(`commentCorrection not understood: ${JSON.stringify(raw)}`);
    return undefined;
  }
  const type = RELATION_TYPES[(str(raw.type) ?? '').toLowerCase().replace(/\s+/g, '')];
  if (!type) return undefined; // "Comment in", "Republished from", ...: not relations we track
  const rel: RecordRelation = { type };
  const id = str(raw.id);
  if (id && str(raw.source) === 'MED' && /^\d+$/.test(id)) rel.pmid = id;
  const note = str(raw.reference);
  if (note) rel.note = note;
  return rel;
}

function flagsOf(types: string[], relations: RecordRelation[]): NoticeFlags {
  // MEDLINE publication types and JATS article types ("correction", "retraction") both occur.
  const t = new Set(types.map((x) => x.toLowerCase()));
  const rel = (r: RecordRelation['type']) => relations.some((x) => x.type === r);
  return {
    retracted: t.has('retracted publication') || rel('retraction-in'),
    retractionNotice: t.has('retraction of publication') || t.has('retraction') || rel('retraction-of'),
    erratum: t.has('published erratum') || t.has('correction') || rel('erratum-for'),
    expressionOfConcern:
      t.has('expression of concern') || rel('expression-of-concern-in') || rel('expression-of-concern-for'),
  };
}

/** Patents, theses and guidelines are not journal articles; PPR is Europe PMC's preprint source. */
const OTHER_SOURCES = new Set(['PAT', 'ETH', 'HIR']);

/** One `core` result with a source and an id as a SourceRecord. */
export function parseEuropePmcResult(r: Json, source: string, id: string): SourceRecord {
  const warnings: string[] = [];
  const rawTitle = str(r.title);
  const title = rawTitle ? unbracketTitle(plainText(rawTitle)) : '';
  if (!title) warnings.push('record has no title');

  const authors: Author[] = [];
  for (const a of list(r, 'authorList', 'author', warnings)) {
    const parsed = author(a, warnings);
    if (parsed) authors.push(parsed);
  }
  const types = strings(list(r, 'pubTypeList', 'pubType', warnings), 'pubType', warnings);
  const relations: RecordRelation[] = [];
  for (const c of list(r, 'commentCorrectionList', 'commentCorrection', warnings)) {
    const rel = relation(c, warnings);
    if (rel) relations.push(rel);
  }
  const preprint = source === 'PPR' || types.some((t) => t.toLowerCase() === 'preprint');

  const rec: SourceRecord = {
    source: 'europepmc',
    sourceId: `${source}:${id}`,
    title,
    authors,
    flags: flagsOf(types, relations),
    kind: preprint ? 'preprint' : OTHER_SOURCES.has(source) ? 'other' : 'article',
  };
  const pmid = str(r.pmid);
  if (pmid) rec.pmid = pmid;
  const pmcid = str(r.pmcid);
  if (pmcid) rec.pmcid = pmcid;
  const doi = str(r.doi);
  if (doi) rec.doi = doi;

  const abstract = str(r.abstractText);
  if (abstract) {
    const sections = abstractSections(abstract);
    if (sections.length > 0) {
      rec.abstract = sections.map((s) => (s.label ? `${s.label}: ${s.text}` : s.text)).join('\n');
      if (sections.some((s) => s.label)) rec.abstractSections = sections;
    }
  }

  const info = isObject(r.journalInfo) ? r.journalInfo : {};
  if (r.journalInfo !== undefined && !isObject(r.journalInfo)) warnings.push('journalInfo not understood');
  const journal = isObject(info.journal) ? info.journal : {};
  const book = isObject(r.bookOrReportDetails) ? r.bookOrReportDetails : {};
  // A preprint's "journal" is its server (medRxiv, Research Square): the dedup engine reads it so.
  const journalTitle = str(journal.title) ?? (preprint ? str(book.publisher) : undefined);
  if (journalTitle) rec.journal = journalTitle;
  const abbrev = str(journal.isoabbreviation) ?? str(journal.medlineAbbreviation);
  if (abbrev) rec.journalAbbrev = abbrev;
  const issn = [...new Set([str(journal.issn), str(journal.essn)].filter((s): s is string => s !== undefined))];
  if (issn.length) rec.issn = issn;
  const volume = str(info.volume);
  if (volume) rec.volume = volume;
  const issue = str(info.issue);
  if (issue) rec.issue = issue;
  const pages = str(r.pageInfo);
  if (pages) rec.pages = pages;

  const yearText = str(r.pubYear) ?? str(info.yearOfPublication) ?? str(book.yearOfPublication);
  if (yearText && /^\d{4}$/.test(yearText)) rec.year = Number(yearText);
  else warnings.push(`publication year not understood: ${yearText ?? '(none)'}`);

  const lang = r.language;
  const languages = Array.isArray(lang) ? strings(lang, 'language', warnings) : str(lang) ? [str(lang)!] : [];
  if (languages.length) rec.language = languages;
  if (types.length) rec.publicationTypes = types;
  const mesh: string[] = [];
  for (const h of list(r, 'meshHeadingList', 'meshHeading', warnings)) {
    const name = isObject(h) ? str(h.descriptorName) : undefined;
    if (name) mesh.push(name);
    else warnings.push(`meshHeading not understood: ${JSON.stringify(h)}`);
  }
  if (mesh.length) rec.meshTerms = mesh;
  const keywords = strings(list(r, 'keywordList', 'keyword', warnings), 'keyword', warnings);
  if (keywords.length) rec.keywords = keywords;

  const indexed = str(r.firstIndexDate);
  if (indexed && /^\d{4}-\d{2}-\d{2}$/.test(indexed)) rec.entryDate = indexed;
  else warnings.push(`firstIndexDate not understood: ${indexed ?? '(none)'}`);
  if (relations.length) rec.relations = relations;
  if (warnings.length) rec.warnings = warnings;
  return rec;
}

/**
 * One search response. A body without a numeric hitCount is not a search answer (an error page
 * served with 200, a changed API): that is permanent, retrying would read the same.
 */
export function parseEuropePmcPage(body: unknown): EuropePmcPage {
  if (!isObject(body) || typeof body.hitCount !== 'number') {
    throw new PermanentError(`europepmc search: response has no hitCount (${JSON.stringify(body).slice(0, 120)})`);
  }
  const resultList = body.resultList;
  const results = isObject(resultList) && Array.isArray(resultList.result) ? resultList.result : undefined;
  if (!results) throw new PermanentError('europepmc search: response has no resultList.result array');
  const records: SourceRecord[] = [];
  const warnings: string[] = [];
  for (const r of results) {
    const source = isObject(r) ? str(r.source) : undefined;
    const id = isObject(r) ? str(r.id) : undefined;
    if (!isObject(r) || !source || !id) {
      warnings.push(`result without source and id skipped: ${JSON.stringify(r).slice(0, 120)}`);
      continue;
    }
    records.push(parseEuropePmcResult(r, source, id));
  }
  const page: EuropePmcPage = { hitCount: body.hitCount, records, warnings };
  const next = str(body.nextCursorMark);
  if (next) page.nextCursorMark = next;
  return page;
}
