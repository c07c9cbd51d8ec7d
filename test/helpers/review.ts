import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { parse, stringify } from 'yaml';
import { openDbContext, loadContext, type DbContext } from '../../src/context.js';
import { reviewers } from '../../src/db/schema/index.js';
import { packageRoot } from '../../src/paths.js';
import type { SourceRecord } from '../../src/records/types.js';
import { NO_FLAGS } from '../../src/records/types.js';
import { stageBatch } from '../../src/staging/stage.js';

export interface ReviewSetup {
  id: string;
  reviewers: { name: string; email: string; role?: 'reviewer' | 'maintainer' }[];
  reviewersPerRecord?: 1 | 2;
  nothingNewNotes?: boolean;
  /** The digest cron and time zone, in place of the shipped protocol's. */
  digestSchedule?: { cron: string; timezone: string };
}

/** Two reviewers and a maintainer: the team the screening tests decide with. */
export const TEAM: ReviewSetup['reviewers'] = [
  { name: 'Ann', email: 'ann@example.org' },
  { name: 'Bob', email: 'bob@example.org' },
  { name: 'Mia', email: 'mia@example.org', role: 'maintainer' },
];

/** A review's reviewer ids by the part of their email before the @ (ann, bob, mia). */
export async function reviewerIds(ctx: DbContext, reviewId: string): Promise<Record<string, number>> {
  const people = await ctx.database.db.select().from(reviewers).where(eq(reviewers.reviewId, reviewId));
  return Object.fromEntries(people.map((p) => [p.email.split('@')[0]!, p.id]));
}

/** Writes a protocol file: the shipped one with another id, reviewers and screening settings. */
export function writeProtocol(setup: ReviewSetup): string {
  const base = parse(readFileSync(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'), 'utf8'));
  base.id = setup.id;
  base.title = `Review ${setup.id}: peer support & <overdose>`;
  base.reviewers = setup.reviewers.map((r) => ({ role: 'reviewer', ...r }));
  base.screening = { ...base.screening, reviewers_per_record: setup.reviewersPerRecord ?? 1, nothing_new_notes: setup.nothingNewNotes ?? false };
  base.seeds = [];
  if (setup.digestSchedule) base.schedule = { ...base.schedule, digest: setup.digestSchedule.cron, timezone: setup.digestSchedule.timezone };
  const file = join(mkdtempSync(join(tmpdir(), 'lr-protocol-')), `${setup.id}.yaml`);
  writeFileSync(file, stringify(base));
  return file;
}

export function reviewEnv(dbUrl: string, protocolFile: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: dbUrl,
    REVIEW_CONFIG: protocolFile,
    PUBLIC_URL: 'https://lr.example.org',
    MAIL_FROM: 'Living Review <digest@lr.example.org>',
    LR_DATA_DIR: mkdtempSync(join(tmpdir(), 'lr-data-')),
    LOG_LEVEL: 'silent',
    ...extra,
  };
}

export async function openReview(env: NodeJS.ProcessEnv): Promise<DbContext> {
  return openDbContext(loadContext(env));
}

export function record(n: number, over: Partial<SourceRecord> = {}): SourceRecord {
  return {
    source: 'pubmed',
    sourceId: String(40_000_000 + n),
    pmid: String(40_000_000 + n),
    doi: `10.1000/lr.${n}`,
    title: `Peer-delivered naloxone study ${n}`,
    abstract: `Background: study ${n} of peer workers. Methods: a trial. Results: fewer deaths.`,
    authors: [
      { family: 'Smith', initials: 'A' },
      { family: 'Jones', initials: 'B' },
      { family: 'Lee', initials: 'C' },
      { family: 'Khan', initials: 'D' },
    ],
    journal: 'Harm Reduction Journal',
    year: 2025,
    flags: NO_FLAGS,
    ...over,
  };
}

/** Stages records as a search would, returning the new works' ids. */
export async function stage(ctx: DbContext, reviewId: string, records: SourceRecord[]): Promise<number[]> {
  const r = await stageBatch(ctx.database.db, { reviewId, source: 'pubmed', runId: null }, records);
  return r.createdWorkIds;
}
