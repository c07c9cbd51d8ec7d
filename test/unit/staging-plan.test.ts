import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../../src/dedup/record.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';
import type { StoredWork } from '../../src/staging/candidates.js';
import { WorkPool, planRecord, storedBlockKeys } from '../../src/staging/plan.js';

const base: SourceRecord = {
  source: 't',
  sourceId: '1',
  title: 'Peer recovery coaches in emergency departments after opioid overdose',
  authors: [{ family: 'Moreau', initials: 'E' }, { family: 'Tanaka', initials: 'K' }],
  journal: 'Drug and Alcohol Dependence',
  year: 2022,
  volume: '235',
  pages: '109401',
  flags: NO_FLAGS,
};
const norm = (over: Partial<SourceRecord>) => normalizeRecord({ ...base, ...over });
function pooled(id: number, over: Partial<SourceRecord>): [WorkPool, StoredWork] {
  const n = norm(over);
  const w: StoredWork = { id, status: 'pending', doi: n.doi ?? null, pmid: n.pmid ?? null, norm: n, members: [] };
  const pool = new WorkPool();
  pool.add(w, storedBlockKeys(n));
  return [pool, w];
}
const plan = (pool: WorkPool, over: Partial<SourceRecord>) => {
  const n = norm(over);
  return planRecord(n, storedBlockKeys(n), pool);
};

describe('planRecord', () => {
  it('links by identifier when the titles agree, as the standalone engine does', () => {
    const [pool, w] = pooled(1, { pmid: '123' });
    expect(plan(pool, { pmid: '123', title: base.title.toUpperCase(), journal: 'Drug Alcohol Depend' }).same).toMatchObject({ work: w, method: 'pmid' });
  });
  it('asks about a shared PMID on another title (a wrong identifier in one source), and keeps two abstracts under one supplement DOI apart', () => {
    const [pool] = pooled(1, { pmid: '123' });
    const wrongPmid = plan(pool, { pmid: '123', title: 'Something else entirely', authors: [{ family: 'Quist', initials: 'B' }] });
    expect(wrongPmid.same).toBeUndefined();
    expect(wrongPmid.uncertain).toMatchObject([{ workId: 1, reason: 'pmid-title-mismatch' }]);
    const supplement = { doi: '10.1111/add.15001', journal: 'Addiction', volume: '116', pages: undefined, issue: 'S1' };
    const [abstracts] = pooled(2, supplement);
    const other = plan(abstracts, { ...supplement, title: 'Hepatitis C treatment uptake in opioid agonist clinics', authors: [{ family: 'Quist', initials: 'B' }] });
    expect(other.same).toBeUndefined();
  });
  it('links a seed declared by its identifier alone, which has no title to compare', () => {
    const [pool, seed] = pooled(1, { pmid: '123', title: '', authors: [], journal: undefined, volume: undefined, pages: undefined, year: undefined });
    expect(plan(pool, { pmid: '123' }).same).toMatchObject({ work: seed, method: 'pmid', score: null });
  });
  it('finds a work by an identifier filled in after it was pooled', () => {
    const [pool, w] = pooled(1, {});
    w.pmid = '77';
    pool.indexIdentifiers(w);
    expect(plan(pool, { pmid: '77' }).same).toMatchObject({ work: w, method: 'pmid' });
  });
  it('links a record that is the same as any member of a work, not only its first record', () => {
    // The work's first record is bare; a richer copy joined it; a third copy matches the rich one.
    const bare = { journal: undefined, volume: undefined, pages: undefined, authors: [{ family: 'Moreau', initials: 'E' }] };
    const [pool, w] = pooled(1, bare);
    const third = { title: 'Peer recovery coaches in emergency departments after an opioid overdose: a pilot', journal: 'Drug Alcohol Depend' };
    const before = plan(pool, third);
    expect(before.same).toBeUndefined();
    expect(before.uncertain).toMatchObject([{ workId: 1, reason: 'similar-title' }]);
    w.members.push(norm({}));
    expect(plan(pool, third).same).toMatchObject({ work: w, method: 'fuzzy' });
  });
  it('holds a record apart from a work when one of its members rules the pair out (the chain guard)', () => {
    const [pool, w] = pooled(1, {});
    w.members.push(norm({ pmid: '900' }));
    const p = plan(pool, { pmid: '901' });
    expect(p.same).toBeUndefined();
    expect(p.uncertain).toMatchObject([{ workId: 1, reason: 'chain-guard:pmid-conflict' }]);
  });
  it('never links across conflicting identifiers', () => {
    const [pool] = pooled(1, { pmid: '123', doi: '10.1/a' });
    expect(plan(pool, { pmid: '999', doi: '10.1/a' }).same).toBeUndefined();
  });
  it('links a reformatted copy through the block keys', () => {
    const [pool, w] = pooled(1, {});
    expect(plan(pool, { title: base.title.toUpperCase(), journal: 'Drug Alcohol Depend' }).same).toMatchObject({ work: w, method: 'fuzzy' });
  });
  it('turns a notice into a relation, not a link', () => {
    const [pool] = pooled(7, {});
    expect(plan(pool, { title: `Erratum: ${base.title}`, pages: '109500' })).toMatchObject({ relations: [{ workId: 7, type: 'erratum-for', recordIsFrom: true }] });
  });
  it('follows a declared link to a work in the pool', () => {
    const [pool] = pooled(7, { pmid: '555' });
    const p = plan(pool, { title: 'Unrelated correction notice', pmid: '556', relations: [{ type: 'retraction-of', pmid: '555' }] });
    expect(p.relations).toEqual([{ workId: 7, type: 'retraction-of', recordIsFrom: true }]);
  });
  it('asks, rather than links, when a record is the same as two works told apart (two articles of one team in one issue)', () => {
    const inIssue = { issue: '3', pages: undefined };
    const stored = (id: number, title: string): StoredWork => {
      const n = norm({ ...inIssue, title });
      return { id, status: 'pending', doi: null, pmid: null, norm: n, members: [] };
    };
    const pool = new WorkPool();
    const one = stored(1, base.title);
    pool.add(one, storedBlockKeys(one.norm));
    // A PDF that lost its title: every author of both articles, in their issue.
    const pdf = { ...inIssue, title: undefined, year: undefined };
    expect(plan(pool, pdf).same).toMatchObject({ work: one, method: 'fuzzy' });
    const two = stored(2, 'Naloxone distribution by peers in emergency departments: a cohort');
    pool.add(two, storedBlockKeys(two.norm));
    const p = plan(pool, pdf);
    expect(p.same).toBeUndefined();
    expect(p.uncertain.map((u) => [u.workId, u.reason]).sort()).toEqual([[1, 'matches-two-works'], [2, 'matches-two-works']]);
    // A record that is the same as one of them by its title still links to that one.
    expect(plan(pool, { ...inIssue, title: base.title.toUpperCase() }).same).toMatchObject({ work: one });
  });
  it('lists a pair it cannot decide', () => {
    const [pool] = pooled(3, { volume: undefined, pages: undefined, journal: 'Addiction' });
    const p = plan(pool, { volume: undefined, pages: undefined, journal: 'Harm Reduction Journal' });
    expect(p.same).toBeUndefined();
    expect(p.uncertain).toMatchObject([{ workId: 3, reason: 'journal' }]);
  });
});
