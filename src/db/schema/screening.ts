import { bigint, bigserial, index, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { oneOf } from './checks.js';
import { reviewers, reviews } from './reviews.js';
import { works } from './works.js';

export const DECISIONS = ['include', 'exclude', 'maybe'] as const;
export type Decision = (typeof DECISIONS)[number];

export const CHANNELS = ['email', 'web', 'cli', 'maintainer'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Append-only: a changed mind is a new row; the latest row per reviewer and work counts. */
export const screeningDecisions = pgTable(
  'screening_decisions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    workId: bigint('work_id', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    reviewerId: bigint('reviewer_id', { mode: 'number' })
      .notNull()
      .references(() => reviewers.id),
    decision: text('decision').$type<Decision>().notNull(),
    reason: text('reason'),
    channel: text('channel').$type<Channel>().notNull(),
    /** Id of the signed link that carried the decision, so a replayed POST records nothing new. */
    tokenId: text('token_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('screening_decisions_work').on(t.workId, t.reviewerId, t.createdAt),
    uniqueIndex('screening_decisions_token').on(t.tokenId),
    oneOf('screening_decisions_decision_check', t.decision, DECISIONS),
    oneOf('screening_decisions_channel_check', t.channel, CHANNELS),
  ],
);

/** `cancelled`: never sent, because its recipient unsubscribed or left the review before it went out. */
export const DIGEST_STATUSES = ['pending', 'sending', 'sent', 'failed', 'ambiguous', 'cancelled'] as const;
export type DigestStatus = (typeof DIGEST_STATUSES)[number];

/** A maintainer's answer about an ambiguous digest: the reviewer has it, or it never arrived. */
export const DELIVERY_ANSWERS = ['arrived', 'resend'] as const;
export type DeliveryAnswer = (typeof DELIVERY_ANSWERS)[number];

/** The email outbox: a digest is written here before it is sent, once per reviewer and period. */
export const digests = pgTable(
  'digests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    reviewerId: bigint('reviewer_id', { mode: 'number' })
      .notNull()
      .references(() => reviewers.id),
    /** The digest period, e.g. the scheduled tick it belongs to (ISO timestamp). */
    period: text('period').notNull(),
    status: text('status').$type<DigestStatus>().notNull(),
    messageId: text('message_id').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    workIds: text('work_ids').array().notNull(),
    /** The signed one-click unsubscribe URL sent as List-Unsubscribe (RFC 8058). */
    unsubscribeUrl: text('unsubscribe_url'),
    attempts: bigint('attempts', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    smtpResponse: text('smtp_response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('digests_period').on(t.reviewId, t.reviewerId, t.period),
    index('digests_status').on(t.status, t.nextAttemptAt),
    oneOf('digests_status_check', t.status, DIGEST_STATUSES),
  ],
);
