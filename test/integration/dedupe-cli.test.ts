// `dedupe` as a user runs it on a shared labelled set: the CSV it writes and the metrics it prints
// with --truth are the benchmark's. Skipped with a message where ../shared/dedup is absent.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_DEDUP, labelledSetsAvailable } from '../../bench/dedup-sets.js';
import { runCli } from '../helpers/cli.js';

const available = labelledSetsAvailable();
if (!available) console.warn(`dedupe CLI on labelled sets skipped: ${SHARED_DEDUP} not found`);

describe.skipIf(!available)('dedupe FILE --truth on a shared labelled set', () => {
  it('writes one row per record and prints recall and false merges meeting the target (stroke)', async () => {
    const dir = join(SHARED_DEDUP, 'bibdedupe_benchmark/stroke');
    const tmp = mkdtempSync(join(tmpdir(), 'dedupe-cli-'));
    const [out, asked] = [join(tmp, 'groups.csv'), join(tmp, 'uncertain.csv')];
    const r = await runCli(['dedupe', join(dir, 'records_pre_merged.csv'), '--id-column', 'ID', '--out', out, '--truth', join(dir, 'merged_record_ids.csv'), '--uncertain', asked]);
    expect(r.code, r.stderr).toBe(0);
    const pairs = readFileSync(asked, 'utf8').trim().split('\r\n');
    expect(pairs[0]).toBe('record_id_a,record_id_b,score,reason');
    expect(r.stderr).toContain(`${pairs.length - 1} uncertain pair(s) written to ${asked}`);
    expect(pairs.length - 1).toBeGreaterThan(0);
    const rows = readFileSync(out, 'utf8').trim().split('\r\n');
    expect(rows[0]).toBe('record_id,group_id');
    expect(rows).toHaveLength(1292 + 1);
    expect(r.stderr).toContain('1292 record(s) in ');
    expect(r.stderr).toContain('records 1292, removable duplicates in the truth 314');
    const recall = Number(/precision [\d.]+, recall ([\d.]+)\nfalse merges/.exec(r.stderr)?.[1]);
    expect(recall).toBeGreaterThanOrEqual(0.98);
    expect(r.stderr).toMatch(/false merges 0 \(0\.00 per 2,000 records\)/);
  }, 60_000);

  it('refuses a truth file it cannot read, naming it', async () => {
    const dir = join(SHARED_DEDUP, 'bibdedupe_benchmark/stroke');
    const r = await runCli(['dedupe', join(dir, 'records_pre_merged.csv'), '--id-column', 'ID', '--truth', join(dir, 'records_pre_merged.csv')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('records_pre_merged.csv: a truth file needs a merged_ids column');
  }, 60_000);
});
