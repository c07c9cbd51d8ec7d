// `works.attention`: what maintainers must look at on an included study (a retraction or a
// correction reached it). Set whichever comes first, the notice or the inclusion.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { workRelations, works, type WorkRelationType } from '../schema/index.js';

/** Relations whose `from` work is a notice about the `to` work. */
export const NOTICE_RELATIONS: ReadonlySet<WorkRelationType> = new Set(['erratum-for', 'retraction-of', 'expression-of-concern-for']);

/**
 * Flags an included work for the maintainers, once per reason: several sources reporting the same
 * retraction add nothing after the first.
 */
export async function flagIfIncluded(tx: Db, workId: number, why: string): Promise<void> {
  await tx
    .update(works)
    .set({ attention: sql`concat_ws('; ', ${works.attention}, ${why}::text)`, updatedAt: sql`now()` })
    .where(and(eq(works.id, workId), eq(works.status, 'included'), sql`not (${why}::text = any(string_to_array(coalesce(${works.attention}, ''), '; ')))`));
}

/** For a work just included: the notices staged about it before, which found it not yet included. */
export async function flagNoticesReaching(tx: Db, workId: number): Promise<void> {
  const notices = await tx
    .select({ from: workRelations.fromWorkId, type: workRelations.type })
    .from(workRelations)
    .where(and(eq(workRelations.toWorkId, workId), inArray(workRelations.type, [...NOTICE_RELATIONS])))
    .orderBy(workRelations.fromWorkId);
  for (const n of notices) await flagIfIncluded(tx, workId, noticeReason(n.type, n.from));
}

export function noticeReason(type: WorkRelationType, fromWorkId: number): string {
  return `${type} work ${fromWorkId}`;
}
