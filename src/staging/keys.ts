import { normalizeDoi, normalizePmid, normalizeTitle } from '../dedup/normalize.js';
import type { SourceRecord } from '../records/types.js';

/** The identifiers a work is stored and looked up by (normalised by the dedup engine). */
export interface WorkKeys {
  doi: string | null;
  pmid: string | null;
  titleKey: string;
}

export function workKeys(r: SourceRecord): WorkKeys {
  return {
    doi: normalizeDoi(r.doi) ?? null,
    pmid: normalizePmid(r.pmid) ?? null,
    titleKey: normalizeTitle(r.title),
  };
}
