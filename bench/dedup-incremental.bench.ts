// Incremental matching at scale: 1,000 new records staged against 1,000,000 stored works (each with
// its source record, every tenth with a second one) in a throwaway Postgres database (DATABASE_URL or the loopback default; created and dropped here).
// Target: under 10 s. Run with `npm run bench` (or `npm run bench -- dedup-incremental`).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { loadProtocol } from '../src/config/protocol.js';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { syncProtocol } from '../src/db/queries/reviews.js';
import { BLOCK_KEYS_VERSION } from '../src/dedup/blocking.js';
import { normalizeRecord } from '../src/dedup/record.js';
import { packageRoot } from '../src/paths.js';
import { NO_FLAGS, type SourceRecord } from '../src/records/types.js';
import { refreshBlockKeys } from '../src/staging/block-keys.js';
import { workKeys } from '../src/staging/keys.js';
import { storedBlockKeys } from '../src/staging/plan.js';
import { stageBatch } from '../src/staging/stage.js';

const STORED = Number(process.env.BENCH_STORED ?? 1_000_000);
const NEW = 1_000;
const DUPLICATES = 300; // of the new records, copies of stored works in another source's formatting
const CHUNK = 10_000;

// Deterministic PRNG (mulberry32), so every run stages the same data.
let seed = 42;
function rand(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** Zipf-like pick: a few words are very common, most are rare, as in real titles. */
const zipf = <T>(xs: readonly T[]): T => xs[Math.floor(xs.length * rand() ** 2.5)]!;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(xs.length * rand())]!;

const BASE = `effect effects patients study trial randomized randomised controlled clinical treatment therapy risk
 outcomes analysis cohort review systematic meta association factors mortality disease care health children women
 adults older infants adolescents acute chronic infection cancer cardiac heart stroke diabetes obesity pregnancy surgery
 pain depression anxiety mental screening cervical cytology smear lung respiratory asthma pulmonary pneumonia vaccine
 virus hepatitis tuberculosis malaria antibiotic resistance kidney renal liver brain cognitive dementia sleep exercise
 diet nutrition vitamin supplementation neonatal maternal prenatal postpartum smoking alcohol opioid overdose peer
 support intervention community primary emergency intensive nursing quality safety cost effectiveness evaluation model
 prediction learning imaging magnetic resonance tomography ultrasound biomarker genetic expression protein receptor
 inhibitor dose response efficacy placebo multicentre prospective retrospective observational survey qualitative
 interview experience perception knowledge attitude adherence incidence prevalence trends national rural urban income
 burden naloxone methadone buprenorphine harm reduction injection syringe programme hospital admission discharge
 readmission telehealth digital mobile app workers workplace collaboration leadership platform`.split(/\s+/).filter(Boolean);
const STEMS = ['cardio', 'neuro', 'hepato', 'nephro', 'immuno', 'onco', 'pneumo', 'haemato', 'gastro', 'endo', 'myo', 'osteo', 'derma', 'psycho', 'socio', 'geno', 'pharmaco', 'toxi', 'micro', 'angio'];
const ENDS = ['logy', 'pathy', 'genesis', 'toxicity', 'protective', 'metabolic', 'vascular', 'kinetics', 'therapy', 'genic', 'plasty', 'scopy', 'trophic', 'cytes', 'dynamics'];
const VOCAB = [...BASE, ...STEMS.flatMap((s) => ENDS.map((e) => s + e))];
const CONNECT = ['of', 'in', 'and', 'with', 'for', 'among', 'after'];
const SURNAMES = ['smith', 'wang', 'li', 'zhang', 'garcia', 'muller', 'rossi', 'kim', 'nguyen', 'okafor', 'silva', 'khan', 'tanaka', 'brown', 'jones', 'martin', 'dubois', 'novak', 'kowalski', 'haddad'];
const SYLL = ['ka', 'ber', 'lin', 'dro', 'mo', 'sen', 'ta', 'vik', 'ro', 'nel', 'ash', 'ford', 'ley', 'stein', 'berg', 'son', 'ski', 'ova'];
const JOURNALS = ['Addiction', 'Lancet', 'BMJ', 'JAMA', 'PLoS One', 'BMC Public Health', 'Drug and Alcohol Dependence', 'International Journal of Drug Policy', 'Cancer', 'Stroke', 'Thorax', 'Blood', 'Pediatrics', 'Circulation'];

function surname(): string {
  return rand() < 0.3 ? zipf(SURNAMES) : `${pick(SYLL)}${pick(SYLL)}${pick(SYLL)}`;
}
function title(): string {
  const n = 6 + Math.floor(rand() * 9);
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(i > 0 && rand() < 0.2 ? pick(CONNECT) : zipf(VOCAB));
  const t = words.join(' ');
  return t[0]!.toUpperCase() + t.slice(1);
}
function storedRecord(i: number): SourceRecord {
  const start = 1 + Math.floor(rand() * 2000);
  return {
    source: 'bench',
    sourceId: String(i),
    title: title(),
    authors: Array.from({ length: 1 + Math.floor(rand() * 6) }, () => ({ family: surname(), initials: 'ABCDEFGHJKLMNPRST'[Math.floor(rand() * 17)]! })),
    year: 1990 + Math.floor(rand() * 36),
    journal: pick(JOURNALS),
    volume: String(1 + Math.floor(rand() * 200)),
    pages: `${start}-${start + 3 + Math.floor(rand() * 12)}`,
    doi: rand() < 0.6 ? `10.${1000 + Math.floor(rand() * 8000)}/bench.${i}` : undefined,
    flags: NO_FLAGS,
  };
}
/** The same work as another database exports it: upper-case title, no DOI, short page range. */
function reformatted(r: SourceRecord, id: string): SourceRecord {
  const [start, end] = r.pages!.split('-');
  return { ...r, source: 'scopus', sourceId: id, title: r.title.toUpperCase().replace(/ (of|in) /, ' $1 - '), doi: undefined, pages: `${start}-${end!.slice(-1)}`, authors: r.authors.map((a) => ({ ...a, family: a.family.toUpperCase() })) };
}

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `lr_bench_${randomBytes(6).toString('hex')}`;
const admin = new pg.Client({ connectionString: adminUrl });
try {
  await admin.connect();
} catch (err) {
  console.log(`skipped: PostgreSQL not reachable at ${adminUrl} (${(err as Error).message})`);
  process.exit(0);
}
await admin.query(`create database "${name}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const database = await openDatabase({ DATABASE_URL: url.toString(), dataDir: '' });
try {
  await migrate(database);
  const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
  await syncProtocol(database.db, protocol);
  const raw = new pg.Client({ connectionString: url.toString() });
  await raw.connect();

  // Load: arrays per chunk through unnest (one statement per 10,000 works), FK triggers off.
  const t0 = performance.now();
  const sample: SourceRecord[] = [];
  await raw.query(`set session_replication_role = replica`);
  for (let from = 1; from <= STORED; from += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, STORED - from + 1) }, (_, k) => storedRecord(from + k));
    for (const r of rows) if (sample.length < DUPLICATES && rand() < (DUPLICATES * 2) / STORED) sample.push(r);
    const ids = rows.map((_, k) => from + k);
    const keys = rows.map((r, k) => storedBlockKeys(normalizeRecord(r)).map((key) => [ids[k]!, key] as const)).flat();
    await raw.query(
      `insert into works (id, review_id, origin, status, doi, title, title_key, authors, year, journal, volume, pages, flags)
       select id, $1, 'candidate', status, doi, title, title_key, authors::jsonb, year, journal, volume, pages, $2::jsonb
       from unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[])
         as t(id, status, doi, title, title_key, authors, year, journal, volume, pages)`,
      [protocol.id, JSON.stringify(NO_FLAGS), ids, rows.map((_, k) => ['pending', 'included', 'excluded'][k % 3]), rows.map((r) => workKeys(r).doi), rows.map((r) => r.title), rows.map((r) => workKeys(r).titleKey), rows.map((r) => JSON.stringify(r.authors)), rows.map((r) => r.year), rows.map((r) => r.journal), rows.map((r) => r.volume), rows.map((r) => r.pages)],
    );
    await raw.query(`insert into work_block_keys (review_id, work_id, key) select $1, * from unnest($2::bigint[], $3::text[]) on conflict do nothing`, [protocol.id, keys.map((k) => k[0]), keys.map((k) => k[1])]);
    // Each work's source record, and for every tenth a second one from another source, whose
    // records the matcher reads as the work's members.
    const second = ids.filter((id) => id % 10 === 0);
    await raw.query(
      `insert into source_records (review_id, source, source_id, payload_hash, record, work_id, match_method)
       select $1, source, source_id, 'bench', record, work_id, 'new' from unnest($2::text[], $3::text[], $4::jsonb[], $5::bigint[]) as t(source, source_id, record, work_id)`,
      [
        protocol.id,
        [...rows.map(() => 'bench'), ...second.map(() => 'embase')],
        [...ids.map(String), ...second.map(String)],
        [...rows.map((r) => JSON.stringify(r)), ...second.map((id) => JSON.stringify(reformatted(rows[id - from]!, String(id))))],
        [...ids, ...second],
      ],
    );
  }
  await raw.query(`set session_replication_role = origin`);
  await raw.query(`select setval(pg_get_serial_sequence('works', 'id'), $1)`, [STORED]);
  await raw.query(`update reviews set block_keys_version = $1 where id = $2`, [BLOCK_KEYS_VERSION, protocol.id]);
  await raw.query(`analyze works; analyze work_block_keys; analyze source_records`);
  const loadSeconds = (performance.now() - t0) / 1000;

  const fresh: SourceRecord[] = [
    ...sample.map((r) => reformatted(r, `dup${r.sourceId}`)),
    ...Array.from({ length: NEW - sample.length }, (_, k) => ({ ...storedRecord(STORED + 1 + k), source: 'scopus', sourceId: `new${k}` })),
  ];
  const t1 = performance.now();
  const result = await stageBatch(database.db, { reviewId: protocol.id, source: 'scopus', runId: null }, fresh);
  const seconds = (performance.now() - t1) / 1000;

  // Were the copies linked to the works they copy, and nothing else linked?
  const { rows } = await raw.query<{ right_dups: string; wrong_links: string }>(
    `select count(*) filter (where s.source_id = 'dup' || s.work_id) as right_dups,
            count(*) filter (where s.source_id like 'new%' and s.match_method <> 'new') as wrong_links
     from source_records s where s.source = 'scopus'`,
  );
  const check = rows[0]!;
  // Printed before the rebuild below, which takes minutes: an interrupted run still shows these.
  console.log(
    [
      `stored works: ${STORED.toLocaleString('en')} (loaded in ${loadSeconds.toFixed(0)} s)`,
      `staged ${fresh.length} new records (${sample.length} copies of stored works) in ${seconds.toFixed(2)} s — target < 10 s: ${seconds < 10 ? 'met' : 'NOT met'}`,
      `result: ${result.newWorks} new works, ${result.duplicates} duplicates, ${result.uncertain} uncertain; copies linked to their work: ${check.right_dups}/${sample.length}; new records wrongly linked: ${check.wrong_links}`,
    ].join('\n'),
  );
  // The one-off cost of an upgrade that changes the block keys: every stored work re-keyed.
  await raw.query(`update reviews set block_keys_version = 0 where id = $1`, [protocol.id]);
  const t2 = performance.now();
  const rekeyed = await refreshBlockKeys(database.db, protocol.id);
  const rebuildSeconds = (performance.now() - t2) / 1000;
  await raw.end();
  console.log(`block keys rebuilt for ${rekeyed.toLocaleString('en')} works (after an upgrade that changes them) in ${rebuildSeconds.toFixed(0)} s`);
  if (seconds >= 10) process.exitCode = 1;
} finally {
  await database.close();
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
}
