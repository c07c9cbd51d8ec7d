import type { RecordRelation } from '../records/types.js';
import { authorSimilarity, titleSimilarity } from './match.js';
import { normalizeDoi, normalizePmid } from './normalize.js';
import type { NormalizedRecord } from './record.js';

export type RelationType = 'version-of' | 'erratum-for' | 'retraction-of' | 'expression-of-concern-for';

/** `from` and `to` are indexes into the records given to `dedupeRecords`. */
export interface Relation {
  from: number;
  to: number;
  type: RelationType;
}

const NOTICE_RELATION = {
  erratum: 'erratum-for',
  retraction: 'retraction-of',
  'expression-of-concern': 'expression-of-concern-for',
} as const;

/**
 * Infers a link between two records from their metadata: a notice whose title (prefix removed)
 * names the other record, or a preprint and its journal version. Returns which side is `from`.
 */
export function relatePair(a: NormalizedRecord, b: NormalizedRecord): { type: RelationType; from: 'a' | 'b' } | undefined {
  if (titleSimilarity(a, b) < 0.9) return undefined;
  const authors = authorSimilarity(a, b);
  if (a.notice !== b.notice && (a.notice === undefined || b.notice === undefined)) {
    const [notice, from] = a.notice ? [a.notice, 'a' as const] : [b.notice!, 'b' as const];
    return { type: NOTICE_RELATION[notice], from };
  }
  if (a.preprint !== b.preprint && (authors === undefined || authors >= 0.5)) {
    const [pre, pub, from] = a.preprint ? [a, b, 'a' as const] : [b, a, 'b' as const];
    if (pre.year !== undefined && pub.year !== undefined && pre.year > pub.year) return undefined;
    return { type: 'version-of', from };
  }
  return undefined;
}

// Declared links, oriented so that `from` is the notice or the preprint.
const DECLARED: Partial<Record<RecordRelation['type'], { type: RelationType; reverse: boolean }>> = {
  'erratum-for': { type: 'erratum-for', reverse: false },
  'erratum-in': { type: 'erratum-for', reverse: true },
  'retraction-of': { type: 'retraction-of', reverse: false },
  'retraction-in': { type: 'retraction-of', reverse: true },
  'expression-of-concern-for': { type: 'expression-of-concern-for', reverse: false },
  'expression-of-concern-in': { type: 'expression-of-concern-for', reverse: true },
  'preprint-of': { type: 'version-of', reverse: false },
  'has-preprint': { type: 'version-of', reverse: true },
};

/** A link one record declares, by the other record's identifier, oriented notice/preprint → article. */
export interface DeclaredLink {
  type: RelationType;
  /** True when the declaring record is the `to` side (e.g. an article naming its erratum). */
  reverse: boolean;
  pmid?: string;
  doi?: string;
}

export function declaredLinks(r: NormalizedRecord): DeclaredLink[] {
  return r.relations.flatMap((rel) => {
    const how = DECLARED[rel.type];
    const pmid = normalizePmid(rel.pmid);
    const doi = normalizeDoi(rel.doi);
    return how && (pmid || doi) ? [{ ...how, ...(pmid ? { pmid } : {}), ...(doi ? { doi } : {}) }] : [];
  });
}

/** Links the records themselves declare (PubMed CommentsCorrections, Crossref relations) by PMID or DOI. */
export function declaredRelations(records: readonly NormalizedRecord[]): Relation[] {
  const byId = new Map<string, number[]>();
  const add = (k: string, i: number) => byId.set(k, [...(byId.get(k) ?? []), i]);
  records.forEach((r, i) => {
    if (r.pmid) add(`pmid:${r.pmid}`, i);
    if (r.doi) add(`doi:${r.doi}`, i);
  });
  const out: Relation[] = [];
  records.forEach((r, i) => {
    for (const link of declaredLinks(r)) {
      const targets = new Set([...(link.pmid ? (byId.get(`pmid:${link.pmid}`) ?? []) : []), ...(link.doi ? (byId.get(`doi:${link.doi}`) ?? []) : [])]);
      for (const j of targets) {
        if (j !== i) out.push(link.reverse ? { from: j, to: i, type: link.type } : { from: i, to: j, type: link.type });
      }
    }
  });
  return out;
}
