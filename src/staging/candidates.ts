// Database side of incremental matching: finds the stored works a batch of new records could be
// duplicates of, through indexed lookups only (never by loading every work).
import { and, inArray, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.js';
import { liveWorks } from '../db/queries/candidates.js';
import { type WorkStatus, works } from '../db/schema/index.js';
import { type NormalizedRecord, normalizeRecord } from '../dedup/record.js';
import type { SourceRecord } from '../records/types.js';

/** A stored work as the matcher sees it. */
export interface StoredWork {
  id: number;
  status: WorkStatus;
  doi: string | null;
  pmid: string | null;
  /** The work's own metadata (its first record's, with what later ones filled in). */
  norm: NormalizedRecord;
  /**
   * Its source records (up to MEMBERS_PER_WORK, newest first): a record is the same work as any of
   * them, as in the standalone engine's groups, so a copy of a record merged in by a maintainer,
   * or one richer than the first, joins the work as it would have joined that record.
   */
  members: NormalizedRecord[];
}

/** As many members as the standalone engine's chain guard samples per group. */
export const MEMBERS_PER_WORK = 12;

// A block bigger than this (a common surname and year) is cut to its most recent works: the title
// keys of a real duplicate still find it.
const PER_KEY = 50;

/** The columns `storedWork` needs. */
export const matchColumns = {
  id: works.id,
  status: works.status,
  doi: works.doi,
  pmid: works.pmid,
  pmcid: works.pmcid,
  title: works.title,
  authors: works.authors,
  year: works.year,
  journal: works.journal,
  journalAbbrev: works.journalAbbrev,
  issn: works.issn,
  volume: works.volume,
  issue: works.issue,
  pages: works.pages,
  publicationTypes: works.publicationTypes,
  flags: works.flags,
  kind: works.kind,
};

type WorkRow = Pick<typeof works.$inferSelect, keyof typeof matchColumns>;

/** The work's own metadata normalised like a fresh record, so `matchPair` compares like with like. */
export function storedWork(w: WorkRow): StoredWork {
  const opt = <T>(v: T | null) => v ?? undefined;
  const norm = normalizeRecord({
    source: 'work',
    sourceId: String(w.id),
    title: w.title,
    authors: w.authors,
    doi: opt(w.doi),
    pmid: opt(w.pmid),
    pmcid: opt(w.pmcid),
    year: opt(w.year),
    journal: opt(w.journal),
    journalAbbrev: opt(w.journalAbbrev),
    issn: w.issn,
    volume: opt(w.volume),
    issue: opt(w.issue),
    pages: opt(w.pages),
    publicationTypes: w.publicationTypes,
    flags: w.flags,
    kind: opt(w.kind) as SourceRecord['kind'],
  });
  return { id: w.id, status: w.status, doi: w.doi, pmid: w.pmid, norm, members: [] };
}

/**
 * Fills in the members of the works with two records or more, in one query: a work's only record
 * is what its own metadata already says. Fields the matcher never reads (abstracts, MeSH,
 * keywords) stay in the database.
 */
export async function loadMembers(tx: Db, pool: Iterable<StoredWork>): Promise<void> {
  const byId = new Map([...pool].map((w) => [w.id, w]));
  if (byId.size === 0) return;
  // No ORDER BY id ... LIMIT here: the planner takes it for a backward scan of the whole primary
  // key (390 s for 714 works among 1.1M records); a work's few records are trimmed below instead.
  const rows = await queryRows<{ work_id: string | number; id: string | number; record: SourceRecord }>(
    tx,
    sql`
      select w.id as work_id, m.id, m.record
      from unnest(${sql.param([...byId.keys()])}::bigint[]) as w(id)
      cross join lateral (
        select id, record - 'abstract' - 'abstractSections' - 'meshTerms' - 'keywords' as record from source_records
        where work_id = w.id
      ) m
      where exists (select 1 from source_records s where s.work_id = w.id offset 1)`,
  );
  rows.sort((a, b) => Number(b.id) - Number(a.id));
  for (const r of rows) {
    const members = byId.get(Number(r.work_id))!.members;
    if (members.length < MEMBERS_PER_WORK) members.push(normalizeRecord(r.record));
  }
}

/** Work ids per block key, one query for the whole batch. */
export async function worksByBlockKeys(tx: Db, reviewId: string, keys: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (keys.length === 0) return out;
  const rows = await queryRows<{ key: string; work_id: string | number }>(
    tx,
    sql`
      select k.key, b.work_id
      from unnest(${sql.param(keys)}::text[]) as k(key)
      cross join lateral (
        select work_id from work_block_keys
        where review_id = ${reviewId} and key = k.key
        order by work_id desc
        limit ${PER_KEY}
      ) b`,
  );
  for (const r of rows) out.set(r.key, [...(out.get(r.key) ?? []), Number(r.work_id)]);
  return out;
}

/** The matcher's columns of a review's live works that also meet `where`. */
export function selectLiveWorks(tx: Db, reviewId: string, where: SQL | undefined) {
  return tx.select(matchColumns).from(works).where(and(liveWorks(reviewId), where));
}

/** Live works by id, or by DOI/PMID. */
export async function loadWorks(tx: Db, reviewId: string, by: { ids?: number[]; dois?: string[]; pmids?: string[] }): Promise<StoredWork[]> {
  const { ids = [], dois = [], pmids = [] } = by;
  if (ids.length + dois.length + pmids.length === 0) return [];
  const rows = await selectLiveWorks(
    tx,
    reviewId,
    or(
      ids.length ? inArray(works.id, ids) : undefined,
      dois.length ? inArray(works.doi, dois) : undefined,
      pmids.length ? inArray(works.pmid, pmids) : undefined,
    ),
  );
  return rows.map(storedWork);
}
