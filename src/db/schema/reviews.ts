import { oneOf } from './checks.js';
import { integer, jsonb, pgTable, text, timestamp, uniqueIndex, bigserial, index } from 'drizzle-orm/pg-core';

/** One row per configured protocol; refreshed from the protocol file at every start. */
export const reviews = pgTable('reviews', {
  id: text('id').primaryKey(),
  title: text('title').notNull(),
  protocolFile: text('protocol_file').notNull(),
  /** sha256 of the validated protocol, to notice changes. */
  protocolHash: text('protocol_hash').notNull(),
  updateFrom: text('update_from').notNull(),
  reviewersPerRecord: integer('reviewers_per_record').notNull().default(1),
  /** `BLOCK_KEYS_VERSION` that built this review's work_block_keys; older ones are rebuilt on start. */
  blockKeysVersion: integer('block_keys_version').notNull().default(0),
  /** What the relevance scores were computed from (see ranking/update.ts); null before any pass. */
  rankedState: text('ranked_state'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const REVIEWER_ROLES = ['reviewer', 'maintainer'] as const;
export type ReviewerRole = (typeof REVIEWER_ROLES)[number];

export const reviewers = pgTable(
  'reviewers',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').$type<ReviewerRole>().notNull(),
    /** Set when the reviewer unsubscribed from digests of this review. */
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    /** Reviewers removed from the protocol are kept (their decisions stay attributable). */
    active: integer('active').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reviewers_review_email').on(t.reviewId, t.email),
    oneOf('reviewers_role_check', t.role, REVIEWER_ROLES),
  ],
);

/** What happened, by whom, through which channel. Append-only. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id'),
    actor: text('actor').notNull(),
    channel: text('channel').notNull(),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_review_time').on(t.reviewId, t.createdAt)],
);

