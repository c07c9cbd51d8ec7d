import type { NormalizedRecord } from './record.js';

const STOP = new Set(['the', 'of', 'and', 'in', 'a', 'an', 'for', 'on', 'with', 'to', 'by', 'at', 'from', 'is', 'are', 'its']);

/**
 * Version of `blockKeys` and the normalisers it reads. Bump it with any change to the keys a record
 * gets: stored keys of an older version are rebuilt when a process starts (staging/block-keys.ts).
 */
export const BLOCK_KEYS_VERSION = 3;

/**
 * Exact-equality keys: two records are compared only if they share one. Several independent keys
 * so a typo or a missing field in one does not hide a duplicate. Staging stores the same keys in
 * work_block_keys (btree) to find stored candidates for a new record.
 */
export function blockKeys(r: NormalizedRecord): string[] {
  const keys: string[] = [];
  if (r.doi) keys.push(`doi:${r.doi}`);
  if (r.pmid) keys.push(`pmid:${r.pmid}`);
  if (r.pmcid) keys.push(`pmc:${r.pmcid}`);
  const words = r.title.split(' ').filter((w) => w && !STOP.has(w));
  if (words.length >= 2) {
    keys.push(`tp:${words.slice(0, 4).join(' ')}`);
    keys.push(`te:${words.slice(-4).join(' ')}`);
    // Longest words, sorted: survives reordering, subtitles and dropped short words.
    const longest = [...new Set(words)].sort((x, y) => y.length - x.length || (x < y ? -1 : 1)).slice(0, 3);
    keys.push(`tl:${longest.sort().join(' ')}`);
  }
  const first = r.authors[0]?.family;
  if (first && r.year !== undefined) {
    keys.push(`ay:${first}|${r.year}`, `ay:${first}|${r.year + 1}`);
  }
  if (r.volume && r.pages) keys.push(`vp:${r.volume}|${r.pages.start}`);
  // Records whose title, year or issue was lost (PDF extraction) still have their volume and authors.
  if (first && r.volume) keys.push(`va:${r.volume}|${first}`);
  return keys;
}
