// Child process of pubmed-parse.bench.ts: full cycle fake E-utilities -> EutilsClient -> parser
// (no database). The limiter is opened up because the fake is local; politeness is tested elsewhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EutilsClient } from '../src/sources/pubmed/eutils-client.js';
import { createRateLimiter } from '../src/sources/pubmed/rate-limiter.js';
import { startFakeEutils } from '../test/fakes/eutils-server.js';
import { cloneCorpus, extractArticles } from '../test/fakes/pubmed-corpus.js';

const [dir, n] = [process.argv[2]!, Number(process.argv[3])];
const templates = readdirSync(dir)
  .filter((f) => f.endsWith('.xml'))
  .flatMap((f) => extractArticles(readFileSync(join(dir, f), 'utf8')));
const records = cloneCorpus({ templates, n, from: '2024-01-01', to: '2024-03-31' });
const fake = await startFakeEutils({ records });
const client = new EutilsClient({ baseUrl: fake.baseUrl, tool: 'living-review-bench', rateLimiter: createRateLimiter({ perSecond: 1000, marginMs: 0 }) });
const t0 = performance.now();
const search = await client.search({ term: 'bench', window: { from: '2024-01-01', to: '2024-03-31' } });
let fetched = 0;
for await (const batch of search.batches) fetched += batch.length;
const seconds = (performance.now() - t0) / 1000;
await fake.close();
console.log(JSON.stringify({ identified: search.identified, fetched, requests: fake.log.length, seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
