import { createHash } from 'node:crypto';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { Protocol } from '../../config/protocol.js';
import type { Db } from '../client.js';
import { auditLog, reviewers, reviews } from '../schema/index.js';

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
    const [existing] = await tx.select({ hash: reviews.protocolHash }).from(reviews).where(eq(reviews.id, p.id));
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
    await tx.insert(auditLog).values({
      reviewId: p.id,
      actor: 'system',
      channel: 'cli',
      action: existing ? 'protocol.updated' : 'protocol.registered',
      entity: 'review',
      entityId: p.id,
      details: { file: p.file, hash },
    });
  });
}
