// The ranker's I/O edge: reads a review's decided and pending works, trains, and writes
// works.relevance for the pending candidates, which digests and queues sort by.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.js';
import { reviews, sourceRecords, works } from '../db/schema/index.js';
import { oneLine } from '../errors.js';
import type { Logger } from '../log.js';
import { lockStaging } from '../staging/lock.js';
import type { RankText } from './features.js';
import { enoughToTrain, rank, type ClassCounts, type LabelledText } from './ranker.js';

export type RelevanceUpdate =
  /** Nothing the scores depend on changed since the last pass: they stand. */
  | { kind: 'unchanged' }
  | {
      kind: 'ranked';
      /** Decisions the model was trained on; below the minimum there is no model. */
      trained: ClassCounts;
      /** Pending candidates given a score (0 without a model: their relevance is null). */
      scored: number;
    };

/** Bump when features or model change, so stored scores are recomputed after an upgrade. */
const RANKER_VERSION = 1;

interface WorkText {
  id: string;
  label: 'include' | 'exclude' | null;
  title: string;
  abstract: string | null;
  keywords: string[];
  mesh: string[];
}

const BATCH = 500;

/** A text array of one field of a work's source records, once each (the work table keeps neither). */
const recordTerms = (field: 'keywords' | 'meshTerms') => sql`coalesce((
  select jsonb_agg(distinct t) from ${sourceRecords} sr,
    jsonb_array_elements_text(case when jsonb_typeof(sr.record -> ${field}) = 'array' then sr.record -> ${field} else '[]'::jsonb end) t
  where sr.work_id = w.id), '[]'::jsonb)`;

/**
 * Trains on the review's included works (seeds count: they are the original review's included
 * studies) against its excluded ones, and scores every pending candidate that is not merged away.
 * Maybe, conflict and pending works are unlabelled. Without enough decisions, scores left from an
 * earlier model are cleared, so a digest never follows a model that would no longer be trained.
 */
export async function updateRelevance(db: Db, reviewId: string): Promise<RelevanceUpdate> {
  // Read before the texts: whatever changes after this is seen by the next pass.
  const { state, stored } = await rankedState(db, reviewId);
  if (stored === state) return { kind: 'unchanged' };
  // Most cycles of a young review have too few decisions: know that before reading every text.
  const [decided] = await queryRows<ClassCounts>(
    db,
    sql`select count(*) filter (where status = 'included')::int as includes, count(*) filter (where status = 'excluded')::int as excludes
        from works where review_id = ${reviewId} and merged_into_id is null`,
  );
  if (!enoughToTrain(decided!)) {
    await writeScores(db, reviewId, null, state);
    return { kind: 'ranked', trained: decided!, scored: 0 };
  }
  const rows = await queryRows<WorkText>(
    db,
    sql`select w.id::text as id, w.title, w.abstract,
          case w.status when 'included' then 'include' when 'excluded' then 'exclude' end as label,
          ${recordTerms('keywords')} as keywords, ${recordTerms('meshTerms')} as mesh
        from works w
        where w.review_id = ${reviewId} and w.merged_into_id is null
          and (w.status in ('included', 'excluded') or (w.status = 'pending' and w.origin = 'candidate'))
        order by w.id`,
  );
  const text = (r: WorkText): RankText => ({ title: r.title, abstract: r.abstract, keywords: r.keywords, mesh: r.mesh });
  const labelled: LabelledText[] = rows.flatMap((r) => (r.label ? [{ text: text(r), label: r.label }] : []));
  const pending = rows.filter((r) => r.label === null);
  const ranking = await rank(labelled, pending.map(text));
  const scores = ranking.kind === 'model' ? pending.map((r, i) => ({ id: r.id, relevance: ranking.scores[i]! })) : null;
  await writeScores(db, reviewId, scores, state);
  return { kind: 'ranked', trained: ranking.trained, scored: scores?.length ?? 0 };
}

/**
 * What the scores depend on, cheaply: the review's works and source records (count, newest id,
 * last change) and a sum over every work's status and merge, which a decision committed late, with
 * an older timestamp, still changes. Writing relevance changes none of it. With it, the state the
 * stored scores were computed from.
 */
async function rankedState(db: Db, reviewId: string): Promise<{ state: string; stored: string | null }> {
  const [row] = await queryRows<{ works: string; records: string; stored: string | null }>(
    db,
    sql`select
          (select concat_ws(':', count(*), max(id), max(updated_at), sum(hashtext(concat_ws(':', id, status, merged_into_id))))
             from ${works} where review_id = ${reviewId}) as works,
          (select concat_ws(':', count(*), max(id), max(updated_at)) from ${sourceRecords} where review_id = ${reviewId}) as records,
          (select ranked_state from ${reviews} where id = ${reviewId}) as stored`,
  );
  return { state: `v${RANKER_VERSION}|${row!.works}|${row!.records}`, stored: row!.stored };
}

/**
 * Writes the scores in batches in one transaction (null clears the pending candidates' scores),
 * with the state they were computed from.
 */
async function writeScores(db: Db, reviewId: string, scores: { id: string; relevance: number }[] | null, state: string): Promise<void> {
  await db.transaction(async (tx) => {
    // Staging and merges update many work rows in one transaction too: taking their lock first
    // means the two never hold row locks the other waits for (a deadlock would abort a batch).
    await lockStaging(tx, reviewId);
    await tx.execute(sql`update ${reviews} set ranked_state = ${state} where id = ${reviewId}`);
    if (scores === null) {
      await tx.execute(sql`update works set relevance = null
        where review_id = ${reviewId} and status = 'pending' and origin = 'candidate' and relevance is not null`);
      return;
    }
    for (let i = 0; i < scores.length; i += BATCH) {
      const values = sql.join(scores.slice(i, i + BATCH).map((s) => sql`(${s.id}::bigint, ${s.relevance}::real)`), sql`, `);
      // Only still pending: a work decided meanwhile keeps the score it was decided with.
      await tx.execute(sql`update works w set relevance = v.relevance
        from (values ${values}) as v(id, relevance)
        where w.id = v.id and w.status = 'pending'`);
    }
  });
}

/**
 * `updateRelevance` for the cycle and the digest, which must go on without it: a ranking error is
 * logged and the stored scores (or none) keep ordering the queue.
 */
export async function refreshRelevance(db: Db, reviewId: string, log: Logger): Promise<RelevanceUpdate | null> {
  try {
    const r = await updateRelevance(db, reviewId);
    if (r.kind === 'unchanged') log.debug({ review: reviewId }, 'nothing changed since the last relevance ranking');
    else log.info({ review: reviewId, trained: r.trained, scored: r.scored }, enoughToTrain(r.trained) ? 'relevance ranking updated' : 'too few decisions for relevance ranking');
    return r;
  } catch (err) {
    // A failed query's message is the whole statement with its parameters: log what Postgres said.
    const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
    log.error({ review: reviewId, err: oneLine(cause) }, 'relevance ranking failed; order unchanged');
    return null;
  }
}
