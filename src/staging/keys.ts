import type { SourceRecord } from '../records/types.js';

export interface WorkKeys {
  doi: string | null;
  pmid: string | null;
  titleKey: string;
}

/** Lower case, resolver prefixes and trailing punctuation stripped. */
export function normalizeDoi(raw: string | undefined): string | null {
  if (!raw) return null;
  const doi = raw
    .trim()
    .toLowerCase()
    .replace(/^(?:https?:\/\/)?(?:dx\.)?doi\.org\//, '')
    .replace(/^doi:\s*/, '')
    .replace(/[.,;:)\]]+$/, '');
  return doi.startsWith('10.') ? doi : null;
}

export function normalizePmid(raw: string | undefined): string | null {
  const m = raw?.trim().match(/^(?:pmid:\s*)?0*(\d{1,9})$/i);
  return m ? m[1]! : null;
}

/** Lower-case letters and digits only, for trigram lookup. */
export function titleKey(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/<[^>]+>/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function workKeys(r: SourceRecord): WorkKeys {
  return { doi: normalizeDoi(r.doi), pmid: normalizePmid(r.pmid), titleKey: titleKey(r.title) };
}
