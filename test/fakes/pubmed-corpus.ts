// Builds a corpus of PubMed records for the fake server and the benchmark by cloning real records
// with fresh PMIDs and chosen entrez dates. DOIs and titles get a per-copy suffix, so copies are
// different works to the deduplicator.
import { spreadDays } from './days.js';

export interface CorpusRecord {
  pmid: string;
  /** Entrez date, yyyy-mm-dd. */
  edat: string;
  /**
   * Create date (the day the record entered PubMed), yyyy-mm-dd; the entrez date when left out.
   * They differ for a record entered more than a year after publication: its entrez date is then
   * set to the publication date.
   */
  crdt?: string;
  xml: string;
}

export const EFETCH_HEADER =
  '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n';
export const EFETCH_FOOTER = '</PubmedArticleSet>\n';

/** The <PubmedArticle> elements of an efetch body, as strings. */
export function extractArticles(xml: string): string[] {
  return xml.match(/<PubmedArticle>[\s\S]*?<\/PubmedArticle>/g) ?? [];
}

export interface CloneOptions {
  /** Real <PubmedArticle> strings to replicate, round-robin. */
  templates: string[];
  n: number;
  /** Inclusive; copies are spread evenly over these days. */
  from: string;
  to: string;
  pmidBase?: number;
}

export function cloneCorpus({ templates, n, from, to, pmidBase = 40_000_000 }: CloneOptions): CorpusRecord[] {
  if (templates.length === 0) throw new Error('no template records');
  const days = spreadDays(n, from, to);
  const out: CorpusRecord[] = [];
  for (let i = 0; i < n; i++) {
    const pmid = String(pmidBase + i);
    const edat = days[i]!;
    out.push({ pmid, edat, xml: rewrite(templates[i % templates.length]!, pmid, edat) });
  }
  return out;
}

function rewrite(article: string, pmid: string, edat: string): string {
  const [y, m, d] = edat.split('-');
  return article
    .replace(/(<MedlineCitation[^>]*>\s*<PMID[^>]*>)\d+(<\/PMID>)/, `$1${pmid}$2`)
    .replace(/(<ArticleId IdType="pubmed">)\d+(<\/ArticleId>)/, `$1${pmid}$2`)
    .replace(/(<ArticleId IdType="doi">)([^<]+)(<\/ArticleId>)/, `$1$2.c${pmid}$3`)
    .replace(/(<ELocationID EIdType="doi"[^>]*>)([^<]+)(<\/ELocationID>)/, `$1$2.c${pmid}$3`)
    .replace(/<ArticleTitle>/, `<ArticleTitle>[copy ${pmid}] `)
    .replace(
      /(<PubMedPubDate PubStatus="entrez">\s*<Year>)\d+(<\/Year>\s*<Month>)\d+(<\/Month>\s*<Day>)\d+(<\/Day>)/,
      `$1${y}$2${m}$3${d}$4`,
    );
}
