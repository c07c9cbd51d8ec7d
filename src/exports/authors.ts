import type { Author } from '../records/types.js';

/** `Last FM`, or the group name for a collective author. */
export function formatAuthor(a: Author): string {
  return a.collective || !a.initials ? a.family : `${a.family} ${a.initials}`;
}
