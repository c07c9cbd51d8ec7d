import {
  type AnyPgColumn,
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { Author, NoticeFlags, SourceRecord } from '../../records/types.js';
import { oneOf } from './checks.js';
import { reviews } from './reviews.js';
import { searchRuns } from './runs.js';

export const WORK_STATUSES = ['pending', 'included', 'excluded', 'maybe', 'conflict'] as const;
export type WorkStatus = (typeof WORK_STATUSES)[number];

/** Where a work came from: an API or import candidate, or a seed known before the update. */
export const WORK_ORIGINS = ['candidate', 'seed'] as const;
export type WorkOrigin = (typeof WORK_ORIGINS)[number];

/** The deduplicated unit a reviewer screens. */
export const works = pgTable(
  'works',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    origin: text('origin').$type<WorkOrigin>().notNull(),
    status: text('status').$type<WorkStatus>().notNull(),
    /** Normalised: lower case, no resolver prefix. */
    doi: text('doi'),
    pmid: text('pmid'),
    pmcid: text('pmcid'),
    title: text('title').notNull(),
    /** Normalised title used for trigram candidate lookup. */
    titleKey: text('title_key').notNull(),
    authors: jsonb('authors').$type<Author[]>().notNull().default([]),
    year: integer('year'),
    journal: text('journal'),
    /** Kept with the ISSNs so a stored work can be matched like a fresh record. */
    journalAbbrev: text('journal_abbrev'),
    issn: jsonb('issn').$type<string[]>().notNull().default([]),
    volume: text('volume'),
    issue: text('issue'),
    pages: text('pages'),
    abstract: text('abstract'),
    publicationTypes: jsonb('publication_types').$type<string[]>().notNull().default([]),
    flags: jsonb('flags').$type<NoticeFlags>().notNull(),
    kind: text('kind'),
    /** Relevance score in [0,1] from the ranking model; null until one exists. */
    relevance: real('relevance'),
    /** A maintainer must look (e.g. a retraction reached an included work). */
    attention: text('attention'),
    /** Set when a maintainer merged this work into another; the row stays for the audit trail. */
    mergedIntoId: bigint('merged_into_id', { mode: 'number' }).references((): AnyPgColumn => works.id),
    firstSeenRunId: bigint('first_seen_run_id', { mode: 'number' }).references(() => searchRuns.id),
    firstSeenAt: timestamp('first_seen_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('works_review_doi').on(t.reviewId, t.doi),
    index('works_review_pmid').on(t.reviewId, t.pmid),
    index('works_review_status').on(t.reviewId, t.status, t.firstSeenAt),
    oneOf('works_status_check', t.status, WORK_STATUSES),
    oneOf('works_origin_check', t.origin, WORK_ORIGINS),
  ],
);

/**
 * The dedup engine's block keys (title words, first author + year, volume + page) of every record
 * linked to a work: a new record is compared only with the works sharing a key, found through the
 * primary-key btree instead of by loading every work.
 */
export const workBlockKeys = pgTable(
  'work_block_keys',
  {
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    key: text('key').notNull(),
    workId: bigint('work_id', { mode: 'number' })
      .notNull()
      .references(() => works.id),
  },
  (t) => [primaryKey({ columns: [t.reviewId, t.key, t.workId] }), index('work_block_keys_work').on(t.workId)],
);

/** One record as one source returned it; linked to exactly one work. */
export const sourceRecords = pgTable(
  'source_records',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    /** sha256 of the parsed record, to tell a changed record from a repeat. */
    payloadHash: text('payload_hash').notNull(),
    record: jsonb('record').$type<SourceRecord>().notNull(),
    workId: bigint('work_id', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    /** How the record was linked: new, doi, pmid, fuzzy, maintainer… */
    matchMethod: text('match_method').notNull(),
    matchScore: real('match_score'),
    firstRunId: bigint('first_run_id', { mode: 'number' }).references(() => searchRuns.id),
    lastRunId: bigint('last_run_id', { mode: 'number' }).references(() => searchRuns.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('source_records_key').on(t.reviewId, t.source, t.sourceId),
    index('source_records_work').on(t.workId),
  ],
);

export const WORK_RELATIONS = [
  'version-of',
  'erratum-for',
  'retraction-of',
  'expression-of-concern-for',
] as const;
export type WorkRelationType = (typeof WORK_RELATIONS)[number];

/** Versions and notices are linked, not merged: both works stay visible. */
export const workRelations = pgTable(
  'work_relations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    fromWorkId: bigint('from_work_id', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    toWorkId: bigint('to_work_id', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    type: text('type').$type<WorkRelationType>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('work_relations_key').on(t.fromWorkId, t.toWorkId, t.type),
    oneOf('work_relations_type_check', t.type, WORK_RELATIONS),
  ],
);

export const MATCH_DECISIONS = ['same', 'different'] as const;
export type MatchDecision = (typeof MATCH_DECISIONS)[number];

/** Pairs the engine could not decide; a maintainer's decision is remembered here. */
export const matchReviews = pgTable(
  'match_reviews',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    workA: bigint('work_a', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    workB: bigint('work_b', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    score: real('score').notNull(),
    reason: text('reason').notNull(),
    decision: text('decision').$type<MatchDecision>(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('match_reviews_pair').on(t.reviewId, t.workA, t.workB)],
);

/** Works known before the living update (from the protocol or `import --as seeds`). */
export const seeds = pgTable(
  'seeds',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    /** doi:…, pmid:… or title:… — the identity of the seed within its review. */
    seedKey: text('seed_key').notNull(),
    doi: text('doi'),
    pmid: text('pmid'),
    title: text('title'),
    note: text('note'),
    workId: bigint('work_id', { mode: 'number' })
      .notNull()
      .references(() => works.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('seeds_key').on(t.reviewId, t.seedKey)],
);
