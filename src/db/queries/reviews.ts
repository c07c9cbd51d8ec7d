import { createHash } from 'node:crypto';
import { and, asc, eq, notInArray, sql } from 'drizzle-orm';
import type { Protocol } from '../../config/protocol.js';
import { decidedStatus } from '../../screening/record.js';
import type { Db } from '../client.js';
import { flagNoticesReaching } from './attention.js';
import { liveWorks } from './candidates.js';
import { auditLog, reviewers, reviews, screeningDecisions, works } from '../schema/index.js';

function protocolHash(p: Protocol): string {
  const { file: _file, ...rest } = p;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

/**
 * Brings the reviews and reviewers tables in line with the protocol files. Reviewers dropped from
 * a protocol are deactivated, never deleted: their decisions stay attributable.
 */
export async function syncProtocol(db: Db, p: Protocol): Promise<void> {
  await db.transaction(async (tx) => {
    const hash = protocolHash(p);
    const [existing] = await tx.select({ hash: reviews.protocolHash, perRecord: reviews.reviewersPerRecord }).from(reviews).where(eq(reviews.id, p.id));
    if (existing?.hash === hash) return;
    await tx
      .insert(reviews)
      .values({
        id: p.id,
        title: p.title,
        protocolFile: p.file,
        protocolHash: hash,
        updateFrom: p.update_from,
        reviewersPerRecord: p.screening.reviewers_per_record,
      })
      .onConflictDoUpdate({
        target: reviews.id,
        set: {
          title: p.title,
          protocolFile: p.file,
          protocolHash: hash,
          updateFrom: p.update_from,
          reviewersPerRecord: p.screening.reviewers_per_record,
          updatedAt: sql`now()`,
        },
      });
    for (const r of p.reviewers) {
      await tx
        .insert(reviewers)
        .values({ reviewId: p.id, email: r.email.toLowerCase(), name: r.name, role: r.role })
        .onConflictDoUpdate({
          target: [reviewers.reviewId, reviewers.email],
          set: { name: r.name, role: r.role, active: 1 },
        });
    }
    const emails = p.reviewers.map((r) => r.email.toLowerCase());
    await tx
      .update(reviewers)
      .set({ active: 0 })
      .where(
        emails.length
          ? and(eq(reviewers.reviewId, p.id), notInArray(reviewers.email, emails))
          : eq(reviewers.reviewId, p.id),
      );
    const perRecord = p.screening.reviewers_per_record;
    const restatused = existing && existing.perRecord !== perRecord ? await restatus(tx, p.id, perRecord) : undefined;
    await tx.insert(auditLog).values({
      reviewId: p.id,
      actor: 'system',
      channel: 'cli',
      action: existing ? 'protocol.updated' : 'protocol.registered',
      entity: 'review',
      entityId: p.id,
      details: { file: p.file, hash, ...(restatused ? { reviewersPerRecord: { from: existing!.perRecord, to: perRecord }, restatused } : {}) },
    });
  });
}

/**
 * Recomputes the status of every decided candidate after `reviewers_per_record` changed: a work one
 * of two reviewers included is included once one is enough. Returns how many works changed.
 */
async function restatus(tx: Db, reviewId: string, perRecord: number): Promise<number> {
  const decided = await tx
    .selectDistinct({ id: works.id })
    .from(works)
    .innerJoin(screeningDecisions, eq(screeningDecisions.workId, works.id))
    .where(and(liveWorks(reviewId), eq(works.origin, 'candidate')))
    .orderBy(asc(works.id));
  let changed = 0;
  for (const w of decided) {
    // The reviews row updated before this holds off new decisions (recordDecision reads it FOR
    // SHARE first); this row lock waits for one already under way.
    const [row] = await tx.select({ status: works.status }).from(works).where(eq(works.id, w.id)).for('update');
    const { status } = await decidedStatus(tx, w.id, perRecord);
    if (row && status !== row.status) {
      await tx.update(works).set({ status, updatedAt: sql`now()` }).where(eq(works.id, w.id));
      if (status === 'included') await flagNoticesReaching(tx, w.id);
      await tx.insert(auditLog).values({
        reviewId,
        actor: 'system',
        channel: 'cli',
        action: 'screening.restatused',
        entity: 'work',
        entityId: String(w.id),
        details: { reviewersPerRecord: perRecord, statusBefore: row.status, status },
      });
      changed++;
    }
  }
  return changed;
}
