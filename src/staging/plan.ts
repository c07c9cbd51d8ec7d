// Pure part of incremental matching: what one new record is to the works already known.
import { blockKeys } from '../dedup/blocking.js';
import { blocksGrouping, matchPair } from '../dedup/match.js';
import type { NormalizedRecord } from '../dedup/record.js';
import { type RelationType, declaredLinks, relatePair } from '../dedup/relations.js';
import type { StoredWork } from './candidates.js';

/** Block keys kept in work_block_keys; identifiers are looked up on the works table instead. */
export function storedBlockKeys(r: NormalizedRecord): string[] {
  return blockKeys(r).filter((k) => !/^(?:doi|pmid|pmc):/.test(k));
}

/** The works a batch may match: those fetched from the database plus those the batch created. */
export class WorkPool {
  private readonly byId = new Map<number, StoredWork>();
  private readonly byKey = new Map<string, Set<number>>();
  private readonly byDoi = new Map<string, number[]>();
  private readonly byPmid = new Map<string, number[]>();

  add(work: StoredWork, keys: readonly string[] = []): void {
    this.byId.set(work.id, work);
    this.indexIdentifiers(work);
    this.addKeys(work.id, keys);
  }

  /** (Re)indexes a work's DOI and PMID, e.g. after staging filled one in. */
  indexIdentifiers(work: StoredWork): void {
    for (const [map, value] of [[this.byDoi, work.doi], [this.byPmid, work.pmid]] as const) {
      if (!value) continue;
      const ids = map.get(value) ?? [];
      if (!ids.includes(work.id)) map.set(value, [...ids, work.id]);
    }
  }

  addKeys(id: number, keys: readonly string[]): void {
    for (const k of keys) {
      const set = this.byKey.get(k) ?? new Set<number>();
      set.add(id);
      this.byKey.set(k, set);
    }
  }

  get(id: number): StoredWork | undefined {
    return this.byId.get(id);
  }

  /** A work that shares the DOI or PMID and whose identifiers do not conflict. */
  byIdentifier(r: { doi?: string | null; pmid?: string | null }): StoredWork | undefined {
    const ids = [...(r.doi ? (this.byDoi.get(r.doi) ?? []) : []), ...(r.pmid ? (this.byPmid.get(r.pmid) ?? []) : [])];
    return ids
      .map((id) => this.byId.get(id)!)
      .find((w) => !(r.doi && w.doi && r.doi !== w.doi) && !(r.pmid && w.pmid && r.pmid !== w.pmid));
  }

  /** Works sharing a block key with the record. */
  candidates(keys: readonly string[]): StoredWork[] {
    const ids = new Set<number>();
    for (const k of keys) for (const id of this.byKey.get(k) ?? []) ids.add(id);
    return [...ids].map((id) => this.byId.get(id)!);
  }
}

export interface RelationPlan {
  workId: number;
  type: RelationType;
  /** True when the new record is the notice or preprint (`from` side). */
  recordIsFrom: boolean;
}

export interface RecordPlan {
  /** The work the record is the same as, if any. */
  same?: { work: StoredWork; method: 'doi' | 'pmid' | 'fuzzy'; score: number | null };
  /** Works it might be: kept apart and listed for a maintainer. */
  uncertain: Array<{ workId: number; score: number; reason: string }>;
  relations: RelationPlan[];
}

/**
 * Decides one record against the pool: an identifier match links at once; otherwise each work
 * sharing a block key goes through `matchPair`, the best 'same' wins, 'uncertain' ones are listed,
 * and notice/version pairs (metadata-inferred or declared) become relations.
 */
export function planRecord(r: NormalizedRecord, keys: readonly string[], pool: WorkPool): RecordPlan {
  const plan: RecordPlan = { uncertain: [], relations: [] };
  const byId = pool.byIdentifier(r);
  if (byId) plan.same = { work: byId, method: r.doi && byId.doi === r.doi ? 'doi' : 'pmid', score: null };
  const sames: Array<{ work: StoredWork; score: number }> = [];
  for (const w of byId ? [] : pool.candidates(keys)) {
    const d = matchPair(r, w.norm);
    if (d.verdict === 'same') {
      sames.push({ work: w, score: d.score });
    } else if (d.verdict === 'uncertain') {
      plan.uncertain.push({ workId: w.id, score: d.score, reason: d.reason });
    } else {
      const rel = relatePair(r, w.norm);
      if (rel) plan.relations.push({ workId: w.id, type: rel.type, recordIsFrom: rel.from === 'a' });
    }
  }
  // The best fuzzy match, unless the record is as much the same as a work that the best one is
  // decisively not (two articles of one team in one issue, for a PDF that lost its title): then
  // it is one of them or neither, and a maintainer decides, as the batch's chain guard asks.
  const [best, ...others] = sames.sort((x, y) => y.score - x.score);
  const rival = best && others.find((o) => blocksGrouping(matchPair(best.work.norm, o.work.norm)));
  if (best && rival) plan.uncertain.push(...[best, rival].map((m) => ({ workId: m.work.id, score: m.score, reason: 'matches-two-works' })));
  else if (best) plan.same = { work: best.work, method: 'fuzzy', score: best.score };
  for (const link of declaredLinks(r)) {
    const target = pool.byIdentifier({ doi: link.doi, pmid: link.pmid });
    if (target) plan.relations.push({ workId: target.id, type: link.type, recordIsFrom: !link.reverse });
  }
  const linked = plan.same?.work.id;
  plan.uncertain = plan.uncertain.filter((u) => u.workId !== linked);
  plan.relations = plan.relations.filter((rel) => rel.workId !== linked);
  return plan;
}
