// Maps the SAX events of ONE <PubmedArticle> or <PubmedBookArticle> to a SourceRecord.
// Fields are addressed by their path below the record element, so an ArticleId inside a
// ReferenceList or a PMID inside CommentsCorrections can never be mistaken for the record's own.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { AbstractSection, Author, RecordRelation, SourceRecord } from '../../records/types.js';
import { isoDate, normaliseOrcid, squash, unbracketTitle } from '../text.js';
import { yearFromMedlineDate } from './medline-date.js';

type Slot =
  | 'pmid' | 'issn' | 'volume' | 'issue' | 'year' | 'medlineDate' | 'journal' | 'journalAbbrev'
  | 'title' | 'vernacularTitle' | 'bookTitle' | 'isbn' | 'medlinePgn' | 'startPage' | 'endPage'
  | 'elocation' | 'abstractText' | 'language' | 'publicationType' | 'mesh' | 'keyword'
  | 'ccPmid' | 'ccRefSource' | 'dateYear' | 'dateMonth' | 'dateDay' | 'articleId'
  | 'lastName' | 'foreName' | 'initials' | 'collectiveName' | 'identifier';

/** Elements that open a container whose children are collected into one object. */
type Container = 'author' | 'editor' | 'commentsCorrections' | 'pubDate';

const ARTICLE = 'PubmedArticle/MedlineCitation/Article/';
const BOOKDOC = 'PubmedBookArticle/BookDocument/';

const AUTHOR_FIELDS: Record<string, Slot> = {
  LastName: 'lastName', ForeName: 'foreName', Initials: 'initials',
  CollectiveName: 'collectiveName', Identifier: 'identifier',
};

const SLOTS = new Map<string, Slot>();
const CONTAINERS = new Map<string, Container>();
function slots(prefix: string, entries: Record<string, Slot>): void {
  for (const [path, slot] of Object.entries(entries)) SLOTS.set(prefix + path, slot);
}
function authorList(prefix: string, container: Container): void {
  CONTAINERS.set(`${prefix}AuthorList/Author`, container);
  slots(`${prefix}AuthorList/Author/`, AUTHOR_FIELDS);
}

slots(ARTICLE, {
  'Journal/ISSN': 'issn', 'Journal/JournalIssue/Volume': 'volume', 'Journal/JournalIssue/Issue': 'issue',
  'Journal/JournalIssue/PubDate/Year': 'year', 'Journal/JournalIssue/PubDate/MedlineDate': 'medlineDate',
  'Journal/Title': 'journal', 'Journal/ISOAbbreviation': 'journalAbbrev',
  ArticleTitle: 'title', VernacularTitle: 'vernacularTitle',
  'Pagination/MedlinePgn': 'medlinePgn', 'Pagination/StartPage': 'startPage', 'Pagination/EndPage': 'endPage',
  ELocationID: 'elocation', 'Abstract/AbstractText': 'abstractText', Language: 'language',
  'PublicationTypeList/PublicationType': 'publicationType',
});
authorList(ARTICLE, 'author');
slots('PubmedArticle/MedlineCitation/', {
  PMID: 'pmid', 'MeshHeadingList/MeshHeading/DescriptorName': 'mesh', 'KeywordList/Keyword': 'keyword',
  'CommentsCorrectionsList/CommentsCorrections/PMID': 'ccPmid',
  'CommentsCorrectionsList/CommentsCorrections/RefSource': 'ccRefSource',
});
CONTAINERS.set('PubmedArticle/MedlineCitation/CommentsCorrectionsList/CommentsCorrections', 'commentsCorrections');

slots(BOOKDOC, {
  PMID: 'pmid', 'Book/BookTitle': 'bookTitle', 'Book/Isbn': 'isbn', 'Book/Volume': 'volume',
  'Book/PubDate/Year': 'year', 'Book/PubDate/MedlineDate': 'medlineDate', Isbn: 'isbn',
  ArticleTitle: 'title', VernacularTitle: 'vernacularTitle', Language: 'language',
  'Abstract/AbstractText': 'abstractText', PublicationType: 'publicationType',
  'KeywordList/Keyword': 'keyword', 'ArticleIdList/ArticleId': 'articleId',
});
authorList(BOOKDOC, 'author');
authorList(`${BOOKDOC}Book/`, 'editor');

for (const root of ['PubmedArticle/PubmedData/', 'PubmedBookArticle/PubmedBookData/']) {
  CONTAINERS.set(`${root}History/PubMedPubDate`, 'pubDate');
  slots(`${root}History/PubMedPubDate/`, { Year: 'dateYear', Month: 'dateMonth', Day: 'dateDay' });
  slots(root, { 'ArticleIdList/ArticleId': 'articleId' });
}

/** Inline elements whose text is a duplicate rendering (MathML TeX annotations), not content. */
const SILENT = new Set(['annotation', 'annotation-xml']);

const RELATION_TYPES: Record<string, RecordRelation['type']> = {
  ErratumIn: 'erratum-in', ErratumFor: 'erratum-for', RetractionIn: 'retraction-in',
  RetractionOf: 'retraction-of', ExpressionOfConcernIn: 'expression-of-concern-in',
  ExpressionOfConcernFor: 'expression-of-concern-for', UpdateOf: 'update-of', UpdateIn: 'updated-by',
};

interface PartialAuthor {
  validYN?: string;
  lastName?: string;
  foreName?: string;
  initials?: string;
  collectiveName?: string;
  orcid?: string;
  badOrcid?: string;
}

/** Everything collected from one record before it is shaped into a SourceRecord. */
class Draft {
  root = '';
  pmid?: string;
  issn: string[] = [];
  volume?: string;
  issue?: string;
  year?: string;
  medlineDate?: string;
  journal?: string;
  journalAbbrev?: string;
  title?: string;
  vernacularTitle?: string;
  bookTitle?: string;
  isbn: string[] = [];
  medlinePgn?: string;
  startPage?: string;
  endPage?: string;
  elocationDoi?: string;
  sections: AbstractSection[] = [];
  language: string[] = [];
  publicationTypes: string[] = [];
  mesh: string[] = [];
  keywords: string[] = [];
  relations: RecordRelation[] = [];
  entrez?: string;
  ids = new Map<string, string>();
  authors: PartialAuthor[] = [];
  editors: PartialAuthor[] = [];
  warnings: string[] = [];
}

/**
 * Reusable per-record parser: `build(xml)` parses one complete record element. saxes resets itself
 * on close(), so one instance serves a whole stream. Throws saxes' Error on malformed XML.
 */
export class RecordBuilder {
  private readonly sax = new SaxesParser({ xmlns: false, position: false });
  private path: string[] = [];
  private key = '';
  private d = new Draft();
  // text capture for the current leaf (or mixed-content) element
  private capturing: Slot | undefined;
  private captureDepth = 0;
  private captureAttrs: Record<string, string> = {};
  private text = '';
  private silentDepth = 0;
  // open container objects
  private author: PartialAuthor | undefined;
  private cc: { type?: string; pmid?: string; refSource?: string } | undefined;
  private pubDate: { status?: string; y?: string; m?: string; d?: string } | undefined;

  constructor() {
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('closetag', () => this.close());
    this.sax.on('text', (t) => {
      if (this.capturing !== undefined && this.silentDepth === 0) this.text += t;
    });
  }

  build(xml: string): SourceRecord {
    this.path = [];
    this.key = '';
    this.d = new Draft();
    this.capturing = undefined;
    this.silentDepth = 0;
    this.author = this.cc = this.pubDate = undefined;
    this.sax.write(xml).close();
    return shape(this.d);
  }

  private open(tag: SaxesTagPlain): void {
    const name = tag.name;
    this.path.push(this.key);
    this.key = this.key === '' ? name : `${this.key}/${name}`;
    if (this.capturing !== undefined) {
      // inline markup (<i>, <sup>, MathML) inside a captured element: keep its text, drop the tag
      if (SILENT.has(localName(name))) this.silentDepth++;
      return;
    }
    if (this.path.length === 1) {
      this.d.root = name;
      return;
    }
    const slot = SLOTS.get(this.key);
    if (slot !== undefined) {
      this.capturing = slot;
      this.captureDepth = this.path.length;
      this.captureAttrs = tag.attributes;
      this.text = '';
      return;
    }
    const container = CONTAINERS.get(this.key);
    if (container === 'author' || container === 'editor') {
      this.author = { validYN: tag.attributes.ValidYN };
      (container === 'author' ? this.d.authors : this.d.editors).push(this.author);
    } else if (container === 'commentsCorrections') {
      this.cc = { type: tag.attributes.RefType };
    } else if (container === 'pubDate') {
      this.pubDate = { status: tag.attributes.PubStatus };
    }
  }

  private close(): void {
    if (this.capturing !== undefined) {
      if (this.path.length === this.captureDepth) {
        const slot = this.capturing;
        this.capturing = undefined;
        this.assign(slot, this.text, this.captureAttrs);
      } else if (SILENT.has(localName(this.key.slice(this.key.lastIndexOf('/') + 1)))) {
        this.silentDepth--;
      }
    } else {
      const container = CONTAINERS.get(this.key);
      if (container === 'commentsCorrections') this.endCommentsCorrections();
      else if (container === 'pubDate') this.endPubDate();
      else if (container !== undefined) this.author = undefined;
    }
    this.key = this.path.pop() ?? '';
  }

  private assign(slot: Slot, raw: string, attrs: Record<string, string>): void {
    const d = this.d;
    const text = squash(raw);
    switch (slot) {
      case 'pmid': d.pmid ??= text; break;
      case 'issn': if (text) d.issn.push(text); break;
      case 'isbn': if (text) d.isbn.push(text); break;
      case 'volume': d.volume = text || undefined; break;
      case 'issue': d.issue = text || undefined; break;
      case 'year': d.year = text; break;
      case 'medlineDate': d.medlineDate = text; break;
      case 'journal': d.journal = text || undefined; break;
      case 'journalAbbrev': d.journalAbbrev = text || undefined; break;
      case 'title': d.title = text; break;
      case 'vernacularTitle': d.vernacularTitle = text; break;
      case 'bookTitle': d.bookTitle = text; break;
      case 'medlinePgn': d.medlinePgn = text || undefined; break;
      case 'startPage': d.startPage = text || undefined; break;
      case 'endPage': d.endPage = text || undefined; break;
      case 'elocation':
        if (attrs.EIdType === 'doi' && attrs.ValidYN !== 'N' && text) d.elocationDoi ??= text;
        break;
      case 'abstractText': {
        if (!text) break; // NCBI emits empty <AbstractText/> placeholders
        const label = attrs.Label?.trim();
        d.sections.push(label ? { label, text } : { text });
        break;
      }
      case 'language': if (text) d.language.push(text); break;
      case 'publicationType': if (text) d.publicationTypes.push(text); break;
      case 'mesh': if (text) d.mesh.push(text); break;
      case 'keyword': if (text) d.keywords.push(text); break;
      case 'ccPmid': if (this.cc) this.cc.pmid = text; break;
      case 'ccRefSource': if (this.cc) this.cc.refSource = text; break;
      case 'dateYear': if (this.pubDate) this.pubDate.y = text; break;
      case 'dateMonth': if (this.pubDate) this.pubDate.m = text; break;
      case 'dateDay': if (this.pubDate) this.pubDate.d = text; break;
      case 'articleId':
        // the first ArticleId of a type wins; books list ids in BookDocument and PubmedBookData
        if (text && !d.ids.has(attrs.IdType ?? 'pubmed')) d.ids.set(attrs.IdType ?? 'pubmed', text);
        break;
      case 'lastName': if (this.author) this.author.lastName = text; break;
      case 'foreName': if (this.author) this.author.foreName = text; break;
      case 'initials': if (this.author) this.author.initials = text; break;
      case 'collectiveName': if (this.author) this.author.collectiveName = text; break;
      case 'identifier':
        if (this.author && attrs.Source === 'ORCID') {
          const orcid = normaliseOrcid(text);
          if (orcid) this.author.orcid = orcid;
          else this.author.badOrcid = text;
        }
        break;
    }
  }

  private endCommentsCorrections(): void {
    const cc = this.cc;
    this.cc = undefined;
    const type = cc?.type ? RELATION_TYPES[cc.type] : undefined;
    if (!cc || !type) return; // CommentIn, Cites, ... are not relations we track
    const rel: RecordRelation = { type };
    if (cc.pmid) rel.pmid = cc.pmid;
    if (cc.refSource) rel.note = cc.refSource;
    this.d.relations.push(rel);
  }

  private endPubDate(): void {
    const p = this.pubDate;
    this.pubDate = undefined;
    if (p?.status !== 'entrez' || this.d.entrez) return;
    const iso = p.y && p.m && p.d ? isoDate(p.y, p.m, p.d) : undefined;
    if (iso) this.d.entrez = iso;
    else this.d.warnings.push(`entrez date not understood: ${[p.y, p.m, p.d].join('-')}`);
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function toAuthor(a: PartialAuthor, warnings: string[]): Author | undefined {
  if (a.validYN === 'N') return undefined; // NLM keeps corrected-away author entries marked invalid
  if (a.badOrcid) warnings.push(`ORCID not understood: ${a.badOrcid}`);
  if (a.collectiveName) return { family: a.collectiveName, collective: true };
  if (!a.lastName) {
    warnings.push('author without LastName or CollectiveName skipped');
    return undefined;
  }
  const author: Author = { family: a.lastName };
  if (a.initials) author.initials = a.initials;
  if (a.foreName) author.given = a.foreName;
  if (a.orcid) author.orcid = a.orcid;
  return author;
}

/** Turns the collected draft into the normalised record; anything unmappable becomes a warning. */
function shape(d: Draft): SourceRecord {
  const warnings = d.warnings;
  const isBook = d.root === 'PubmedBookArticle';
  const pmid = d.pmid ?? d.ids.get('pubmed');
  if (!pmid) warnings.push('record has no PMID');

  let title: string;
  let kind: SourceRecord['kind'] = 'article';
  if (isBook) {
    kind = d.title ? 'book-chapter' : 'book';
    title = d.title || d.bookTitle || '';
  } else {
    title = d.title ? unbracketTitle(d.title) : '';
  }
  if (!title && d.vernacularTitle) {
    title = d.vernacularTitle;
    warnings.push('ArticleTitle empty; title taken from VernacularTitle');
  }
  if (!title) warnings.push('record has no title');

  const authors: Author[] = [];
  for (const a of d.authors) {
    const author = toAuthor(a, warnings);
    if (author) authors.push(author);
  }
  if (authors.length === 0 && d.editors.length > 0) {
    for (const a of d.editors) {
      const author = toAuthor(a, warnings);
      if (author) authors.push(author);
    }
    warnings.push('no authors; the book editors are listed as authors');
  }

  let year: number | undefined;
  if (d.year && /^\d{4}$/.test(d.year)) year = Number(d.year);
  else if (d.medlineDate) year = yearFromMedlineDate(d.medlineDate);
  if (year === undefined) {
    warnings.push(`publication year not understood: ${d.year ?? d.medlineDate ?? '(none)'}`);
  }

  const types = d.publicationTypes;
  const rel = (t: RecordRelation['type']) => d.relations.some((r) => r.type === t);
  const rec: SourceRecord = {
    source: 'pubmed',
    sourceId: pmid ?? '',
    title,
    authors,
    flags: {
      retracted: types.includes('Retracted Publication') || rel('retraction-in'),
      retractionNotice: types.includes('Retraction of Publication') || rel('retraction-of'),
      erratum: types.includes('Published Erratum') || rel('erratum-for'),
      expressionOfConcern:
        types.includes('Expression of Concern') ||
        rel('expression-of-concern-in') ||
        rel('expression-of-concern-for'),
    },
    kind,
  };
  if (pmid) rec.pmid = pmid;
  const doi = d.ids.get('doi') ?? d.elocationDoi;
  if (doi) rec.doi = doi;
  const pmc = d.ids.get('pmc');
  if (pmc) rec.pmcid = pmc;
  if (d.sections.length > 0) {
    rec.abstract = d.sections.map((s) => (s.label ? `${s.label}: ${s.text}` : s.text)).join('\n');
    if (d.sections.some((s) => s.label)) rec.abstractSections = d.sections;
  }
  if (isBook && kind === 'book-chapter' && d.bookTitle) rec.journal = d.bookTitle; // container title
  if (d.journal) rec.journal = d.journal;
  if (d.journalAbbrev) rec.journalAbbrev = d.journalAbbrev;
  if (d.issn.length) rec.issn = d.issn;
  if (d.isbn.length) rec.isbn = d.isbn[0];
  if (d.volume) rec.volume = d.volume;
  if (d.issue) rec.issue = d.issue;
  const pages = d.medlinePgn ?? (d.startPage && d.endPage ? `${d.startPage}-${d.endPage}` : d.startPage);
  if (pages) rec.pages = pages;
  if (year !== undefined) rec.year = year;
  if (d.language.length) rec.language = d.language;
  if (types.length) rec.publicationTypes = types;
  if (d.mesh.length) rec.meshTerms = d.mesh;
  if (d.keywords.length) rec.keywords = d.keywords;
  if (d.entrez) rec.entryDate = d.entrez;
  else warnings.push('no entrez date');
  if (d.relations.length) rec.relations = d.relations;
  if (warnings.length) rec.warnings = warnings;
  return rec;
}
