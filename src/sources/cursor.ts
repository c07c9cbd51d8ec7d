import { RetryableError } from '../errors.js';

/**
 * The cursors a paged walk has followed. An API that hands back one it gave before (A → B → A)
 * would be paged for ever, each page looking like progress: the walk fails instead, to be retried.
 */
export function cursorTrail(api: string): (cursor: string) => string {
  const followed = new Set<string>();
  return (cursor) => {
    if (followed.has(cursor)) throw new RetryableError(`${api} returned a cursor it had returned before, after ${followed.size + 1} pages: paging stopped`);
    followed.add(cursor);
    return cursor;
  };
}
