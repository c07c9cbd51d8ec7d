// Child process of the cycle benchmark: serves a cloned corpus from the E-utilities fake, so the
// fake's CPU and memory are not counted against the cycle it feeds. Prints its base URL.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeEutils } from '../test/fakes/eutils-server.js';
import { cloneCorpus, extractArticles } from '../test/fakes/pubmed-corpus.js';

const [dir, n] = [process.argv[2]!, Number(process.argv[3])];
const templates = readdirSync(dir)
  .filter((f) => f.endsWith('.xml'))
  .flatMap((f) => extractArticles(readFileSync(join(dir, f), 'utf8')));
const fake = await startFakeEutils({ records: cloneCorpus({ templates, n, from: '2024-01-01', to: '2024-03-31' }) });
console.log(fake.baseUrl);
process.stdin.resume();
process.stdin.on('end', () => void fake.close().then(() => process.exit(0)));
