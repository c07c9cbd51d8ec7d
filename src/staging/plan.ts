// Pure part of incremental matching: what one new record is to the works already known.
import { blockKeys } from '../dedup/blocking.js';
import { type PairDecision, blocksGrouping, matchPair } from '../dedup/match.js';
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

  /** The works that share the DOI or PMID and whose identifiers do not conflict. */
  sharingIdentifier(r: { doi?: string | null; pmid?: string | null }): StoredWork[] {
    const ids = new Set([...(r.doi ? (this.byDoi.get(r.doi) ?? []) : []), ...(r.pmid ? (this.byPmid.get(r.pmid) ?? []) : [])]);
    return [...ids]
      .map((id) => this.byId.get(id)!)
      .filter((w) => !(r.doi && w.doi && r.doi !== w.doi) && !(r.pmid && w.pmid && r.pmid !== w.pmid));
  }

  /** The first of them: the work a declared link (an erratum's "corrects 10.x/y") points to. */
  byIdentifier(r: { doi?: string | null; pmid?: string | null }): StoredWork | undefined {
    return this.sharingIdentifier(r)[0];
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
 * What a record is to one work: `matchPair` against the work's own metadata and each of its
 * members, as the standalone engine's groups decide. 'same' as any of them, unless one of them
 * rules the pair out (the chain guard: a record that conflicts with a member is not the work).
 */
export function decideAgainstWork(r: NormalizedRecord, w: StoredWork): PairDecision {
  const decisions = [w.norm, ...w.members].map((m) => matchPair(r, m));
  const own = decisions[0]!;
  const best = (verdict: PairDecision['verdict']) =>
    decisions.filter((d) => d.verdict === verdict).sort((x, y) => y.score - x.score)[0];
  const same = best('same');
  if (!same) return best('uncertain') ?? own;
  const veto = decisions.find(blocksGrouping);
  return veto ? { verdict: 'uncertain', score: same.score, reason: `chain-guard:${veto.reason}` } : same;
}

/**
 * Decides one record against the pool. A shared DOI or PMID links at once only where one side has
 * no title to check it by (a seed declared by its DOI); otherwise the works sharing one go through
 * `decideAgainstWork` first, with its guards (one DOI over a whole congress supplement, a wrong PMID
 * in one source), and the works sharing a block key after them when none is the same. The best
 * 'same' wins, 'uncertain' ones are listed, and notice/version pairs (metadata-inferred or
 * declared) become relations.
 */
export function planRecord(r: NormalizedRecord, keys: readonly string[], pool: WorkPool): RecordPlan {
  const plan: RecordPlan = { uncertain: [], relations: [] };
  const sharing = pool.sharingIdentifier(r);
  const untitled = sharing.find((w) => !r.title || !w.norm.title);
  if (untitled) plan.same = { work: untitled, method: identifierMethod(r, untitled), score: null };
  const sames: Array<{ work: StoredWork; score: number }> = [];
  const judge = (works: StoredWork[]) => {
    for (const w of works) {
      const d = decideAgainstWork(r, w);
      if (d.verdict === 'same') {
        sames.push({ work: w, score: d.score });
      } else if (d.verdict === 'uncertain') {
        plan.uncertain.push({ workId: w.id, score: d.score, reason: d.reason });
      } else {
        const rel = relatePair(r, w.norm);
        if (rel) plan.relations.push({ workId: w.id, type: rel.type, recordIsFrom: rel.from === 'a' });
      }
    }
  };
  if (!untitled) {
    judge(sharing);
    if (sames.length === 0) judge(pool.candidates(keys).filter((w) => !sharing.includes(w)));
  }
  // The best match, unless the record is as much the same as a work that the best one is
  // decisively not (two articles of one team in one issue, for a PDF that lost its title): then
  // it is one of them or neither, and a maintainer decides, as the batch's chain guard asks.
  const [best, ...others] = sames.sort((x, y) => y.score - x.score);
  const rival = best && others.find((o) => blocksGrouping(matchPair(best.work.norm, o.work.norm)));
  if (best && rival) plan.uncertain.push(...[best, rival].map((m) => ({ workId: m.work.id, score: m.score, reason: 'matches-two-works' })));
  else if (best) plan.same = { work: best.work, method: sharing.includes(best.work) ? identifierMethod(r, best.work) : 'fuzzy', score: best.score };
  for (const link of declaredLinks(r)) {
    const target = pool.byIdentifier({ doi: link.doi, pmid: link.pmid });
    if (target) plan.relations.push({ workId: target.id, type: link.type, recordIsFrom: !link.reverse });
  }
  const linked = plan.same?.work.id;
  plan.uncertain = plan.uncertain.filter((u) => u.workId !== linked);
  plan.relations = plan.relations.filter((rel) => rel.workId !== linked);
  return plan;
}

function identifierMethod(r: NormalizedRecord, w: StoredWork): 'doi' | 'pmid' {
  return r.doi && w.doi === r.doi ? 'doi' : 'pmid';
}
