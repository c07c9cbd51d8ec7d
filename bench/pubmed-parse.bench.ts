// PubMed efetch parsing: our streaming parser vs Biopython's Entrez parser on the same 10,000-record
// file, plus the full cycle fake -> client -> parser -> Postgres staging. Targets: >= 4x Biopython
// records/s and <= 256 MB peak RSS for our parser; the full cycle >= 2x Biopython's parse-only rate.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = join(here, '../../shared');
const EFETCH = join(SHARED, 'fixtures/eutils/efetch');
const N = 10_000;

if (!existsSync(EFETCH)) {
  console.log('skipping pubmed-parse bench: ../shared/fixtures absent (clone outside the workplace)');
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'pubmed-bench-'));
try {
  const corpus = join(work, 'efetch-10k.xml');
  // make_corpus.py stamps a 2019 DOCTYPE on every copy; Biopython validates element placement
  // against it and rejects the two legacy-DTD records (Affiliation directly under Article), so
  // both parsers get a corpus without them.
  const LEGACY = ['pubmed_16799037_2004dtd_structured_erratumin.xml', 'pubmed_17284678_9997_2012_pretty.xml'];
  const sources = readdirSync(EFETCH).filter((f) => f.endsWith('.xml') && !LEGACY.includes(f)).map((f) => join(EFETCH, f));
  execFileSync('python3', [join(SHARED, 'bench/make_corpus.py'), corpus, String(N), '--spread', '2024-01-01', '2024-03-31', ...sources], { stdio: 'inherit' });
  const mb = statSync(corpus).size / 1e6;
  console.log(`corpus: ${N} records, ${mb.toFixed(0)} MB`);

  const ours = JSON.parse(runNode(join(here, 'pubmed-parse-file.ts'), corpus)) as { records: number; seconds: number; maxRssMb: number };
  const oursRate = ours.records / ours.seconds;

  const python = findBiopythonPython();
  let bioRate: number | undefined;
  let bioRss: number | undefined;
  if (python) {
    const r = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', python, join(SHARED, 'bench/py_biopython_parse.py'), corpus], { encoding: 'utf8' });
    const rate = /= (\d+) rec\/s/.exec(r.stdout);
    const rss = /maxrss_kb=(\d+)/.exec(r.stderr);
    if (r.status === 0 && rate) bioRate = Number(rate[1]);
    if (rss) bioRss = Number(rss[1]) / 1024;
    if (!bioRate) console.log(`biopython run failed: ${r.stderr.slice(-500)}`);
  } else {
    console.log('biopython: not installed (apt-get install -y python3-biopython); comparison skipped');
  }

  const cycle = JSON.parse(runNode(join(here, 'pubmed-cycle.ts'), EFETCH, String(N))) as { fetched: number; staged: number; seconds: number; maxRssMb: number };

  const row = (name: string, rate: number | undefined, rss: number | undefined) =>
    console.log(`${name.padEnd(34)} ${rate ? `${rate.toFixed(0).padStart(7)} rec/s` : '      - rec/s'}   peak RSS ${rss ? `${rss.toFixed(0)} MB` : '-'}`);
  row('(a) living-review streaming parser', oursRate, ours.maxRssMb);
  row('(b) Biopython Entrez.read', bioRate, bioRss);
  const cycleRate = cycle.fetched / cycle.seconds;
  row('(c) fake -> client -> parse -> Postgres', cycleRate, cycle.maxRssMb);
  console.log(`(c) fetched ${cycle.fetched} records, staged ${cycle.staged} new works`);
  const ratio = bioRate ? oursRate / bioRate : undefined;
  const cycleRatio = bioRate ? cycleRate / bioRate : undefined;
  if (ratio) console.log(`ratio parser/biopython: ${ratio.toFixed(1)}x (target >= 4x)`);
  if (cycleRatio) console.log(`ratio full cycle/biopython parse: ${cycleRatio.toFixed(1)}x (target >= 2x)`);
  const ok =
    ours.records === N && ours.maxRssMb <= 256 && ratio !== undefined && ratio >= 4 &&
    cycle.fetched === N && cycle.staged === N && cycleRatio !== undefined && cycleRatio >= 2;
  console.log(ok ? 'targets met' : ratio === undefined ? 'speed target not checked (no Biopython result)' : 'TARGETS NOT MET');
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}

function runNode(script: string, ...args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim();
}

/** The first python3 that can import Bio (a pyenv python3 often cannot; the system one can). */
function findBiopythonPython(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import Bio'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}
